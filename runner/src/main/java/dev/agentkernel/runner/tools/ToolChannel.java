package dev.agentkernel.runner.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.runner.model.Cancellation;
import dev.agentkernel.runner.model.TurnCancelledException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kubernetes: the runner's end of the channel to the pod's {@code tools} container, which runs every tool command
 * (docs/kubernetes.md, "The runner's record"). The runner and its state (history, AgentBus log, config with the
 * nonce) live in the {@code runner} container; the tools container mounts the workspace but not the runner's state,
 * so no command can read or rewrite them.
 *
 * <p><b>Who listens, and why a tool cannot impersonate either end.</b> The runner listens on a Unix socket in a small
 * emptyDir that its own container mounts read-write and the tools container mounts <em>read-only</em>; the tools
 * container's {@link ToolServer} dials in and then serves commands over that one connection. Not a loopback TCP
 * port: the containers share the pod's network namespace, so the tools could reach it. Not the other way round
 * (a server socket in the tools container): the tools share that container's mounts and uid, so a tool could unlink
 * the socket and bind its own in its place, and the runner would send it the next commands. Here:
 * <ul>
 *   <li>a tool cannot put a socket (or anything else) where the runner's is: the directory is read-only to it;</li>
 *   <li>a tool cannot take the worker's place: the runner accepts one connection and then closes its listener and
 *       removes the socket file, before it sends the first command, so when any tool exists nothing listens. It
 *       listens again only after that connection ended, which happens when the tools container's process 1 (the
 *       server) exits, and the kernel kills every process of a container's pid namespace with it; the runner waits
 *       {@link #RELISTEN_DELAY} more before listening;</li>
 *   <li>and if a tool still won such a race it would gain nothing it lacks: it would receive the commands the model
 *       asks for (already past the AgentBus gate) and the tool environment (scrubbed of the nonce and keys), and what
 *       it answers becomes tool output, which the agent's commands already decide. The runner reads answers as
 *       untrusted: one capped JSON line each, with a deadline.</li>
 * </ul>
 * When the runner closes, it says {@code bye} on the connection and leaves {@link #CLOSED_MARKER} next to the socket
 * (for a server that has not connected yet): the server then exits 0, so a pod whose runner exited 0 (its owner's
 * lease lapsed) completes. A connection that ends without {@code bye} (the runner crashed) makes the server exit
 * {@link ToolServer#EXIT_RUNNER_GONE}, so the restart policy restarts both containers.
 */
public final class ToolChannel implements ToolLauncher {
    /** The runner's socket path, set by the Kubernetes backend on the runner container. */
    public static final String ENV = "AGENTKERNEL_TOOL_SOCKET";
    /** Written next to the socket when the runner closed: a server still waiting to connect exits 0. */
    public static final String CLOSED_MARKER = "runner-closed";
    /** How long a tool call waits for the tools container to connect (its JVM starts while the runner's does). */
    static final Duration WORKER_WAIT = Duration.ofSeconds(60);
    /** Before listening again after the worker left: time for the kernel to kill the rest of its container. */
    static final Duration RELISTEN_DELAY = Duration.ofSeconds(1);
    /** On top of the bash timeout (which the server enforces): the server's kill and reply. */
    private static final Duration REPLY_MARGIN = Duration.ofSeconds(30);
    /** After a cancel: how long to wait for the server to say the group is killed. */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(5);
    /** The largest answer line read: the output cap as JSON-escaped text (6 bytes per byte at worst) and slack. */
    private final long maxLine;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;
    private final Duration timeout;
    private final int outputCap;
    private final ToolEnvironment environment;
    private final AtomicLong ids = new AtomicLong();
    private final Thread acceptor;
    private final Object lock = new Object();
    private ServerSocketChannel listener; // guarded by lock
    private Connection worker; // guarded by lock
    private volatile boolean closed;

    private ToolChannel(Path socket, Duration timeout, int outputCap, ToolEnvironment environment) throws IOException {
        this.socket = socket.toAbsolutePath();
        this.timeout = timeout;
        this.outputCap = outputCap;
        this.environment = environment;
        this.maxLine = 6L * outputCap + 64 * 1024;
        Files.createDirectories(this.socket.getParent());
        Files.deleteIfExists(this.socket.resolveSibling(CLOSED_MARKER));
        listen();
        this.acceptor = Thread.ofPlatform().daemon().name("tool-channel-accept").start(this::acceptLoop);
    }

    /**
     * The channel for a runner whose environment has {@link #ENV} (the Kubernetes backend sets it), else null.
     * Starts listening at once, so the tools container can connect while the runner finishes starting.
     */
    public static ToolChannel fromEnv(Map<String, String> env, Duration timeout, int outputCap, ToolEnvironment environment)
            throws IOException {
        String path = env.get(ENV);
        if (path == null || path.isBlank()) return null;
        return open(Path.of(path), timeout, outputCap, environment);
    }

    public static ToolChannel open(Path socket, Duration timeout, int outputCap, ToolEnvironment environment) throws IOException {
        return new ToolChannel(socket, timeout, outputCap, environment);
    }

    public Path socket() {
        return socket;
    }

    /** Whether a tools container is connected now. */
    public boolean connected() {
        synchronized (lock) {
            return worker != null && !worker.ended.isDone();
        }
    }

    private void listen() throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        synchronized (lock) {
            listener = s;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                ServerSocketChannel s;
                synchronized (lock) {
                    s = listener;
                }
                if (s == null) {
                    listen();
                    continue;
                }
                SocketChannel ch = s.accept();
                // One worker: stop listening before the first command, so no tool can connect (see the class comment).
                s.close();
                Files.deleteIfExists(socket);
                Connection c = new Connection(ch);
                // The hello goes first: a tool call waiting for a worker must not send a command before it.
                c.start();
                synchronized (lock) {
                    listener = null;
                    if (closed) {
                        c.close(true);
                        return;
                    }
                    worker = c;
                    lock.notifyAll();
                }
                try {
                    c.ended.get();
                } catch (ExecutionException ignored) {
                    // ended: listen again below
                }
                if (!closed) Thread.sleep(RELISTEN_DELAY.toMillis());
            } catch (IOException e) {
                if (closed) return;
                sleepQuietly(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Connection awaitWorker(Duration wait, Cancellation cancellation) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            while (!closed && !cancellation.isCancelled() && (worker == null || worker.ended.isDone())) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) return null;
                lock.wait(Math.min(left, 100));
            }
            return closed ? null : worker;
        }
    }

    @Override
    public List<String> command(List<String> command) {
        throw new UnsupportedOperationException("on Kubernetes tool commands run in the tools container; use run()");
    }

    @Override
    public ToolResult run(String commandLine, Cancellation cancellation, Local local) {
        long id = ids.incrementAndGet();
        long deadline = System.nanoTime() + WORKER_WAIT.toNanos();
        Connection delivered;
        CompletableFuture<JsonNode> reply;
        while (true) {
            Connection found;
            try (Cancellation.Registration ignored = cancellation.register(() -> { synchronized (lock) { lock.notifyAll(); } })) {
                found = awaitWorker(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), cancellation);
            } catch (InterruptedException e) {
                found = null;
            }
            cancellation.throwIfCancelled();
            if (found == null) {
                return new ToolResult("the pod's tools container did not connect to " + socket + " within " + WORKER_WAIT.toSeconds()
                        + " s, so the command did not run; see `kubectl logs <pod> -c tools` (it runs dev.agentkernel.runner.tools.ToolServer)", true);
            }
            try {
                reply = found.send(id, commandLine);
                delivered = found;
                break;
            } catch (IOException e) {
                // Not delivered, so not run: the container just died. Wait for its restarted server.
                found.fail(e);
            }
        }
        Connection c = delivered;
        JsonNode answer;
        try (Cancellation.Registration ignored = cancellation.register(() -> c.cancel(id))) {
            answer = reply.get(timeout.plus(REPLY_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            answer = null;
        } catch (ExecutionException e) {
            if (cancellation.isCancelled()) throw new TurnCancelledException();
            return gone(e.getCause());
        } catch (TimeoutException e) {
            c.cancel(id);
            return new ToolResult("the tools container did not answer within " + timeout.plus(REPLY_MARGIN).toSeconds()
                    + " s; the command was cancelled", true);
        }
        if (cancellation.isCancelled()) {
            c.cancel(id);
            // As BashTool does locally: the turn reports cancelled once the group is dead, not before.
            try {
                reply.get(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException ignored) {
                // the server is gone or slow: its own disconnect handling kills the group
            }
            throw new TurnCancelledException();
        }
        if (answer == null) throw new TurnCancelledException();
        if (answer.path("cancelled").asBoolean(false)) throw new TurnCancelledException();
        return new ToolResult(answer.path("output").asText(""), answer.path("is_error").asBoolean(true));
    }

    private ToolResult gone(Throwable cause) {
        return new ToolResult("the connection to the pod's tools container broke (" + cause
                + "); the command's result is unknown. The container is restarted by the pod's restart policy.", true);
    }

    /** Says bye to the server (it exits 0) and leaves the marker for a server that has not connected. */
    @Override
    public void close() {
        if (closed) return;
        Connection c;
        ServerSocketChannel s;
        synchronized (lock) {
            closed = true;
            c = worker;
            s = listener;
            listener = null;
            lock.notifyAll();
        }
        try {
            Files.writeString(socket.resolveSibling(CLOSED_MARKER), "the runner closed\n");
        } catch (IOException ignored) {
            // the server then sees the connection end without bye and exits non-zero: restarted, not lost
        }
        if (c != null) c.close(true);
        try {
            if (s != null) s.close();
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the emptyDir goes with the pod
        }
        acceptor.interrupt();
    }

    @Override
    public String toString() {
        return "tools container at " + socket;
    }

    /** One connected tools server. */
    private final class Connection {
        private final SocketChannel channel;
        private final OutputStream out;
        private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        Connection(SocketChannel channel) {
            this.channel = channel;
            this.out = Channels.newOutputStream(channel);
        }

        void start() throws IOException {
            ObjectNode hello = JSON.createObjectNode();
            hello.put("hello", 1);
            hello.put("timeout_ms", timeout.toMillis());
            hello.put("output_cap", outputCap);
            hello.set("env", JSON.valueToTree(environment.variables()));
            write(hello);
            Thread.ofVirtual().name("tool-channel-read").start(this::readLoop);
        }

        private void readLoop() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
                StringBuilder line = new StringBuilder();
                int ch;
                while (true) {
                    line.setLength(0);
                    while ((ch = in.read()) != -1 && ch != '\n') {
                        if (line.length() >= maxLine) throw new IOException("an answer longer than " + maxLine + " characters");
                        line.append((char) ch);
                    }
                    if (ch == -1) break;
                    JsonNode msg = JSON.readTree(line.toString());
                    CompletableFuture<JsonNode> f = pending.remove(msg.path("id").asLong(-1));
                    if (f != null) f.complete(msg);
                }
                fail(new IOException("the tools container closed the connection"));
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        private void fail(Throwable e) {
            pending.values().forEach(f -> f.completeExceptionally(e));
            pending.clear();
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
            ended.complete(null);
        }

        CompletableFuture<JsonNode> send(long id, String commandLine) throws IOException {
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pending.put(id, f);
            if (ended.isDone()) {
                pending.remove(id);
                throw new IOException("the tools container's connection has ended");
            }
            ObjectNode req = JSON.createObjectNode();
            req.put("id", id);
            req.put("command", commandLine);
            try {
                write(req);
            } catch (IOException e) {
                pending.remove(id);
                throw e;
            }
            return f;
        }

        void cancel(long id) {
            ObjectNode req = JSON.createObjectNode();
            req.put("cancel", id);
            try {
                write(req);
            } catch (IOException ignored) {
                // a broken connection makes the server kill every group anyway
            }
        }

        private synchronized void write(JsonNode msg) throws IOException {
            out.write(JSON.writeValueAsBytes(msg));
            out.write('\n');
            out.flush();
        }

        void close(boolean bye) {
            if (bye) {
                ObjectNode b = JSON.createObjectNode();
                b.put("bye", true);
                try {
                    write(b);
                } catch (IOException ignored) {
                    // already gone
                }
            }
            fail(new IOException("the runner closed"));
        }
    }
}
