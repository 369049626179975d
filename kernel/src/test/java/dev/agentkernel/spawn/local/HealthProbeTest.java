package dev.agentkernel.spawn.local;

import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.protocol.Protocol;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class HealthProbeTest {

    @Test
    void aPortAcceptsOnlyWhileSomethingListensOnIt() throws Exception {
        int port;
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = listening.getLocalPort();
            assertTrue(HealthProbe.accepts(port));
        }
        assertFalse(HealthProbe.accepts(port), "closed: refused at once");
    }

    @Test
    void readyOnlyWhenTheProcessLivesAndItsPortAnswersHealth() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(Protocol.PATH_HEALTH, exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        Process alive = new ProcessBuilder("sleep", "30").start();
        try (HealthProbe probe = new HealthProbe()) {
            int port = server.getAddress().getPort();
            // bound but not serving yet, as a runner between its bind and its warm-up's end: not ready
            assertEquals(HealthProbe.Outcome.TIMED_OUT, probe.awaitReady(alive, port, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300)));
            server.start();
            assertEquals(HealthProbe.Outcome.READY, probe.awaitReady(alive, port, System.nanoTime() + TimeUnit.SECONDS.toNanos(10)));
        } finally {
            server.stop(0);
            alive.destroyForcibly();
        }
    }

    @Test
    void pollsFastAtFirstAndBackOffAsTheWaitGrows() {
        assertEquals(HealthProbe.POLL_MILLIS, HealthProbe.pauseMillis(0));
        assertEquals(HealthProbe.POLL_MILLIS, HealthProbe.pauseMillis(200), "a quick start is seen within 5 ms");
        assertEquals(20, HealthProbe.pauseMillis(1_000), "a 1 s start: within 2 %");
        assertEquals(HealthProbe.MAX_POLL_MILLIS, HealthProbe.pauseMillis(70_000), "capped");
    }

    @Test
    void aRunnerThatExitsBeforeItListensIsReportedSoWithoutWaitingForTheDeadline() throws Exception {
        Process exits = new ProcessBuilder("sh", "-c", "exit 7").start();
        exits.waitFor();
        int free;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        try (HealthProbe probe = new HealthProbe()) {
            long start = System.nanoTime();
            assertEquals(HealthProbe.Outcome.EXITED, probe.awaitReady(exits, free, System.nanoTime() + TimeUnit.SECONDS.toNanos(30)));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        }
    }
}
