package dev.agentkernel.bench.peer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One peer agent in RPC mode: commands as JSON lines on its stdin, responses and events as JSON lines on its stdout.
 * It counts as ready when the {@code get_state} sent at launch is answered (peers.md).
 */
public final class PiRpcSession implements AutoCloseable {

    /** What one prompt took, from writing the command: first text delta and the end of the run. */
    public record Turn(double firstTokenMillis, double endMillis, String text) {}

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final PiRpcEvent EOF = new PiRpcEvent("eof", null, false, null, null, null);

    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final long startNanos;
    private int nextId = 1;

    private PiRpcSession(Process process, long startNanos) {
        this.process = process;
        this.startNanos = startNanos;
        this.stdin = process.getOutputStream();
        Thread.ofPlatform().daemon().name("pi-rpc-reader-" + process.pid()).start(this::readLoop);
    }

    /** Starts the peer and writes {@code get_state} at once; call {@link #awaitReady()} next. */
    public static PiRpcSession start(PiPeer peer, PiPeer.Home home) throws IOException {
        ProcessBuilder pb = PiPeer.processBuilder(peer.rpcCommand(home), home)
                .redirectError(home.dir().resolve("stderr.log").toFile());
        long start = System.nanoTime();
        PiRpcSession session = new PiRpcSession(pb.start(), start);
        session.send("get_state", null);
        return session;
    }

    public long pid() { return process.pid(); }

    /** Milliseconds from the launch to the answer of the {@code get_state} written at launch. */
    public double awaitReady() {
        return awaitReady(TIMEOUT);
    }

    /**
     * {@link #awaitReady()} waiting up to {@code timeout}: fifty peers started at once on two cores can take longer
     * than a minute to answer (2026-12-06: the section failed at 60 s while ours, allowed 120 s a spawn, finished).
     */
    public double awaitReady(Duration timeout) {
        PiRpcEvent e = next(ev -> ev.isResponse("get_state"), timeout);
        if (!e.success()) throw new IllegalStateException("the peer refused get_state: " + e.error());
        return (System.nanoTime() - startNanos) / 1e6;
    }

    /** Nanos of the launch, for spans that start there. */
    public long startNanos() { return startNanos; }

    /** Sends a prompt and reads its events to {@code agent_end}. */
    public Turn prompt(String message) {
        long start = System.nanoTime();
        send("prompt", message);
        double first = -1;
        while (true) {
            PiRpcEvent e = next(ev -> true);
            if (e.isResponse("prompt") && !e.success()) throw new IllegalStateException("the peer refused the prompt: " + e.error());
            if (first < 0 && e.isTextDelta()) first = (System.nanoTime() - start) / 1e6;
            if (e.isAgentEnd()) {
                double end = (System.nanoTime() - start) / 1e6;
                if (first < 0) throw new IllegalStateException("the peer's turn carried no text delta: " + e.text());
                return new Turn(first, end, e.text());
            }
        }
    }

    private void send(String type, String message) {
        ObjectNode cmd = Protocol.json().createObjectNode();
        cmd.put("id", "b" + nextId++);
        cmd.put("type", type);
        if (message != null) cmd.put("message", message);
        try {
            stdin.write((cmd.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException("the peer (pid " + process.pid() + ") stopped reading commands: " + e.getMessage(), e);
        }
    }

    private PiRpcEvent next(java.util.function.Predicate<PiRpcEvent> wanted) {
        return next(wanted, TIMEOUT);
    }

    private PiRpcEvent next(java.util.function.Predicate<PiRpcEvent> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Object o;
            try {
                o = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (o == null) throw new IllegalStateException("the peer (pid " + process.pid() + ") said nothing for " + timeout.toSeconds() + " s");
            if (o instanceof RuntimeException e) throw e;
            PiRpcEvent e = (PiRpcEvent) o;
            if (e == EOF) throw new IllegalStateException("the peer (pid " + process.pid() + ") closed its output; see its stderr.log");
            if (wanted.test(e)) return e;
        }
    }

    private void readLoop() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) continue;
                try {
                    events.add(PiRpcEvent.parse(line));
                } catch (IllegalArgumentException e) {
                    events.add(e);
                }
            }
        } catch (IOException e) {
            // the process went away: EOF below
        }
        events.add(EOF);
    }

    /** SIGTERM, then SIGKILL after a second. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // it may be gone already
        }
        process.destroy();
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
