package dev.agentkernel.runner.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.io.OutputStream;

/** Small helpers for JSON answers; every error body is {@code {"error": "..."}} (protocol.md). */
public final class HttpIo {
    private HttpIo() {}

    public static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        sendBytes(exchange, status, Protocol.json().writeValueAsBytes(body));
    }

    public static void sendBytes(HttpExchange exchange, int status, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public static void sendError(HttpExchange exchange, int status, String message) throws IOException {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error", message);
        sendJson(exchange, status, body);
    }

    public static void sendNoContent(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }
}
