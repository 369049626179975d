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
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code ToolServer --socket <runner's socket> --workspace <dir>}: the process of a Kubernetes pod's {@code tools}
 * container. It dials the runner's {@link ToolChannel} socket (in a directory this container mounts read-only),
 * receives the runner's bash timeout, output cap and scrubbed tool environment, and then runs each command it is sent
 * with the same {@link BashTool} the other backends run locally: {@code bash -c} in the workspace, its own process
 * group, output merged and capped, the group killed on timeout and on cancel. It holds nothing of the runner's: no
 * config, nonce, key, history or AgentBus log is mounted in its container.
 *
 * <p>It exits when the connection ends, killing every group it started first (BashTool.close): with 0 after the
 * runner's {@code bye} (the runner exited cleanly, e.g. its owner's lease lapsed, so the pod can complete) or when the
 * runner's closed marker is there before it could connect; with {@link #EXIT_RUNNER_GONE} when the connection ended
 * without {@code bye} (the runner crashed: the restart policy restarts this container too, and a fresh server dials
 * the restarted runner).
 */
public final class ToolServer {
    public static final int EXIT_RUNNER_GONE = 3;
    static final int EXIT_USAGE = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final OutputStream out;
    private final Path workspace;
    private final Map<Long, Cancellation> running = new ConcurrentHashMap<>();
    private BashTool bash;

    private ToolServer(SocketChannel channel, Path workspace) {
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
        this.workspace = workspace;
    }

    public static void main(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opts.put(args[i], args[i + 1]);
        if (!opts.containsKey("--socket") || !opts.containsKey("--workspace")) {
            System.err.println("usage: ToolServer --socket <the runner's tool socket> --workspace <dir>");
            System.exit(EXIT_USAGE);
            return;
        }
        System.exit(run(Path.of(opts.get("--socket")), Path.of(opts.get("--workspace"))));
    }

    /** Connects (waiting for the runner as long as it takes), serves, and returns the exit code. */
    static int run(Path socket, Path workspace) {
        SocketChannel channel = null;
        while (channel == null) {
            if (Files.exists(socket.resolveSibling(ToolChannel.CLOSED_MARKER))) {
                System.err.println("tools: the runner has closed; exiting");
                return 0;
            }
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                try {
                    if (channel != null) channel.close();
                } catch (IOException ignored) {
                    // not connected
                }
                channel = null;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return EXIT_RUNNER_GONE;
                }
            }
        }
        System.err.println("tools: connected to the runner at " + socket);
        return new ToolServer(channel, workspace).serve();
    }

    private int serve() {
        boolean bye = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode msg = JSON.readTree(line);
                if (msg.has("hello")) {
                    Map<String, String> env = new LinkedHashMap<>();
                    msg.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
                    bash = new BashTool(workspace, Duration.ofMillis(msg.path("timeout_ms").asLong(120_000)),
                            msg.path("output_cap").asInt(BashTool.DEFAULT_OUTPUT_CAP), ToolEnvironment.exactly(env), ToolLauncher.DIRECT);
                } else if (msg.has("command")) {
                    start(msg.path("id").asLong(), msg.path("command").asText());
                } else if (msg.has("cancel")) {
                    Cancellation c = running.get(msg.path("cancel").asLong());
                    if (c != null) c.cancel();
                } else if (msg.has("bye")) {
                    bye = true;
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("tools: the connection to the runner ended: " + e);
        }
        // The runner is gone or leaving: nothing may keep running for it.
        running.values().forEach(Cancellation::cancel);
        if (bash != null) bash.close();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
        return bye ? 0 : EXIT_RUNNER_GONE;
    }

    private void start(long id, String command) {
        Cancellation cancellation = new Cancellation();
        running.put(id, cancellation);
        BashTool tool = bash;
        Thread.ofVirtual().name("tool-" + id).start(() -> {
            cancellation.bindWorker(Thread.currentThread());
            ObjectNode reply = JSON.createObjectNode();
            reply.put("id", id);
            try {
                if (tool == null) throw new IllegalStateException("the runner sent a command before its hello");
                ToolResult r = tool.run(JSON.createObjectNode().put("command", command), cancellation);
                reply.put("output", r.output());
                reply.put("is_error", r.isError());
            } catch (TurnCancelledException e) {
                reply.put("cancelled", true);
            } catch (RuntimeException e) {
                reply.put("output", "the tools container could not run the command: " + e);
                reply.put("is_error", true);
            } finally {
                running.remove(id);
            }
            Cancellation.clearInterrupt();
            send(reply);
        });
    }

    private synchronized void send(JsonNode msg) {
        try {
            out.write(JSON.writeValueAsBytes(msg));
            out.write('\n');
            out.flush();
        } catch (IOException ignored) {
            // the runner is gone: serve() sees the end and cleans up
        }
    }
}
