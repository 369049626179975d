package dev.agentkernel.runner.tools;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.runner.model.Cancellation;
import dev.agentkernel.runner.model.TurnCancelledException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The runner's {@link ToolChannel} and the tools container's {@link ToolServer}, talking over a real Unix socket. */
class ToolChannelTest {
    @TempDir
    Path dir;
    ToolChannel channel;
    BashTool bash;

    private Path socket() {
        return dir.resolve("sock").resolve("tools.sock");
    }

    private Path serverWorkspace() throws Exception {
        return Files.createDirectories(dir.resolve("tools-ws"));
    }

    private CompletableFuture<Integer> server() throws Exception {
        Path ws = serverWorkspace();
        return async(() -> ToolServer.run(socket(), ws));
    }

    /** On a thread of its own: the common pool has one thread on a 2-core machine, and the server blocks it. */
    private static <T> CompletableFuture<T> async(java.util.function.Supplier<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                f.complete(body.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private BashTool connect(Duration timeout) throws Exception {
        channel = ToolChannel.open(socket(), timeout, 4096,
                ToolEnvironment.exactly(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "AK_SENT", "by-the-runner")));
        bash = new BashTool(dir.resolve("runner-ws"), timeout, 4096, ToolEnvironment.exactly(Map.of()), channel);
        return bash;
    }

    @AfterEach
    void close() {
        if (bash != null) bash.close();
        if (channel != null) channel.close();
    }

    private static ObjectNode cmd(String command) {
        return JsonNodeFactory.instance.objectNode().put("command", command);
    }

    private static long waitForPid(Path file) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(file) && !Files.readString(file).isBlank()) return Long.parseLong(Files.readString(file).trim());
            Thread.sleep(20);
        }
        throw new AssertionError("no pid written to " + file);
    }

    private static boolean diesWithin(long pid, Duration d) throws InterruptedException {
        long deadline = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < deadline) {
            if (!ProcessTrees.running(pid)) return true;
            Thread.sleep(20);
        }
        return false;
    }

    @Test
    void commandsRunInTheServersWorkspaceWithTheEnvironmentTheRunnerSent() throws Exception {
        CompletableFuture<Integer> server = server();
        connect(Duration.ofSeconds(20));
        ToolResult ok = bash.run(cmd("pwd; echo $AK_SENT"), new Cancellation());
        assertFalse(ok.isError(), ok.output());
        assertEquals(serverWorkspace() + "\nby-the-runner\n", ok.output());
        ToolResult failed = bash.run(cmd("echo out; exit 3"), new Cancellation());
        assertTrue(failed.isError());
        assertEquals("out\n[exit code 3]", failed.output(), "the same result text as a local BashTool");
        // One connection, then nothing listens: a tool cannot connect in the worker's place.
        assertTrue(channel.connected());
        assertFalse(Files.exists(socket()), "the runner stops listening once the tools server is connected");
        bash.close();
        assertEquals(0, server.get(10, TimeUnit.SECONDS), "bye: the server exits 0, so the pod can complete");
        bash = null;
    }

    @Test
    void cancelKillsTheCommandsGroupInTheServerAndTimeoutsHold() throws Exception {
        CompletableFuture<Integer> server = server();
        connect(Duration.ofSeconds(2));
        Path pidFile = serverWorkspace().resolve("pid");
        Cancellation cancellation = new Cancellation();
        CompletableFuture<Throwable> turn = async(() -> {
            try {
                bash.run(cmd("sleep 60 & echo $! > pid; wait"), cancellation);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        long pid = waitForPid(pidFile);
        cancellation.cancel();
        assertInstanceOf(TurnCancelledException.class, turn.get(10, TimeUnit.SECONDS));
        assertTrue(diesWithin(pid, Duration.ofSeconds(5)), "the cancelled command's child was killed in the tools container");

        long t0 = System.nanoTime();
        ToolResult slow = bash.run(cmd("sleep 60"), new Cancellation());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(slow.isError() && slow.output().contains("timed out after 2 s"), slow.output());
        assertTrue(ms < 10_000, "the server's timeout ended it: " + ms + " ms");
        bash.close();
        assertEquals(0, server.get(10, TimeUnit.SECONDS));
        bash = null;
    }

    @Test
    void aRunnerThatVanishesEndsTheServerAndItsCommands() throws Exception {
        Files.createDirectories(socket().getParent());
        try (ServerSocketChannel fakeRunner = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fakeRunner.bind(UnixDomainSocketAddress.of(socket()));
            CompletableFuture<Integer> server = server();
            try (SocketChannel c = fakeRunner.accept()) {
                String msgs = "{\"hello\":1,\"timeout_ms\":60000,\"output_cap\":4096,\"env\":{\"PATH\":\"" + System.getenv("PATH") + "\"}}\n"
                        + "{\"id\":1,\"command\":\"sleep 60 & echo $! > pid; wait\"}\n";
                c.write(ByteBuffer.wrap(msgs.getBytes(StandardCharsets.UTF_8)));
                long pid = waitForPid(serverWorkspace().resolve("pid"));
                c.close(); // no bye: the runner crashed
                assertEquals(ToolServer.EXIT_RUNNER_GONE, server.get(10, TimeUnit.SECONDS),
                        "non-zero, so the restart policy restarts the tools container with its runner");
                assertTrue(diesWithin(pid, Duration.ofSeconds(5)), "nothing keeps running for a runner that is gone");
            }
        }
    }

    @Test
    void aRestartedToolsContainerIsTakenOnceTheOldOneLeft() throws Exception {
        connect(Duration.ofSeconds(20));
        // The first "container": connects, then dies (its connection ends without a word).
        try (SocketChannel first = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    first.connect(UnixDomainSocketAddress.of(socket()));
                    break;
                } catch (java.io.IOException e) {
                    if (System.nanoTime() > deadline) throw e;
                    Thread.sleep(20);
                }
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!channel.connected() && System.nanoTime() < until) Thread.sleep(20);
            assertTrue(channel.connected());
            // While it is connected nobody else can connect (a tool trying to take its place).
            try (SocketChannel intruder = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                assertThrows(java.io.IOException.class, () -> intruder.connect(UnixDomainSocketAddress.of(socket())));
            }
        }
        // The restarted container's server dials in after the runner listens again (RELISTEN_DELAY), and runs commands.
        CompletableFuture<Integer> second = server();
        ToolResult r = bash.run(cmd("echo second"), new Cancellation());
        assertEquals("second\n", r.output(), r.output());
        bash.close();
        assertEquals(0, second.get(10, TimeUnit.SECONDS));
        bash = null;
    }

    @Test
    void aServerThatFindsTheRunnerClosedExitsZero() throws Exception {
        Files.createDirectories(socket().getParent());
        Files.writeString(socket().resolveSibling(ToolChannel.CLOSED_MARKER), "closed\n");
        assertEquals(0, server().get(10, TimeUnit.SECONDS));
    }
}
