package dev.agentkernel;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A turn: the raw JSON body of {@code POST /turn} addressed to one agent with its nonce. */
public record TurnRequest(String agentId, String nonce, byte[] body) {

    /** Builds the usual body {@code {"messages":[{"role":"user","content":text}]}}. */
    public static TurnRequest userMessage(String agentId, String nonce, String text) {
        ObjectNode root = Protocol.json().createObjectNode();
        ArrayNode messages = root.putArray("messages");
        messages.addObject().put("role", "user").put("content", text);
        try {
            return new TurnRequest(agentId, nonce, Protocol.json().writeValueAsBytes(root));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String bodyText() {
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TurnRequest t && java.util.Objects.equals(agentId, t.agentId)
                && java.util.Objects.equals(nonce, t.nonce) && Arrays.equals(body, t.body);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(agentId, nonce) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "TurnRequest[agentId=" + agentId + ", nonce=<redacted>, body=" + bodyText() + "]";
    }
}
