package dev.agentkernel.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Sits between the real stdin and the SDK's stdio transport, line by line (MCP stdio is one JSON-RPC message a
 * line), for the two things the SDK's server does not do: {@code notifications/cancelled} (SDK 2.2.0 ignores it; we
 * cancel the running cell or turn), and telling a tool handler which request it serves (the JSON-RPC id is copied
 * into the call's {@code _meta} under {@link #REQUEST_ID_META}). At end of input it closes the SDK's side and runs
 * {@code onEof}: a client that goes away takes the server and its agents with it.
 */
final class StdinPump {
    static final String REQUEST_ID_META = "dev.agentkernel/requestId";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InputStream in;
    private final Pipe pipe;
    private final Consumer<String> onCancel;
    private final Runnable onEof;
    private final Runnable onInitialized;

    StdinPump(InputStream in, Consumer<String> onCancel, Runnable onInitialized, Runnable onEof) throws IOException {
        this.onInitialized = onInitialized;
        this.in = in;
        this.pipe = Pipe.open();
        this.onCancel = onCancel;
        this.onEof = onEof;
    }

    /** What the SDK transport reads. */
    InputStream sdkInput() {
        return Channels.newInputStream(pipe.source());
    }

    void start() {
        Thread.ofPlatform().daemon().name("agentkernel-mcp-stdin").start(this::pump);
    }

    private void pump() {
        OutputStream toSdk = Channels.newOutputStream(pipe.sink());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                toSdk.write((rewrite(line) + "\n").getBytes(StandardCharsets.UTF_8));
                toSdk.flush();
                if (line.contains("notifications/initialized")) onInitialized.run();
            }
        } catch (IOException e) {
            System.err.println("agentkernel mcp: reading stdin failed: " + e.getMessage());
        } finally {
            try {
                toSdk.close();
            } catch (IOException ignored) {
                // the SDK side is gone already
            }
            onEof.run();
        }
    }

    /** The line as the SDK should see it; cancellations are acted on here (and passed on, which the SDK ignores). */
    String rewrite(String line) {
        if (line.isBlank() || (!line.contains("tools/call") && !line.contains("notifications/cancelled"))) return line;
        try {
            JsonNode message = JSON.readTree(line);
            String method = message.path("method").asText("");
            if (method.equals("notifications/cancelled")) {
                JsonNode id = message.path("params").path("requestId");
                if (!id.isMissingNode() && !id.isNull()) onCancel.accept(id.asText());
                return line;
            }
            if (method.equals("tools/call") && message.has("id") && message.path("params").isObject()) {
                ObjectNode params = (ObjectNode) message.get("params");
                JsonNode meta = params.get("_meta");
                ObjectNode m = meta instanceof ObjectNode o ? o : params.putObject("_meta");
                m.put(REQUEST_ID_META, message.get("id").asText());
                return JSON.writeValueAsString(message);
            }
        } catch (IOException | RuntimeException e) {
            // not JSON we understand: the SDK answers it with the protocol's own error
        }
        return line;
    }
}
