package dev.agentkernel.testrunner;

import dev.agentkernel.protocol.TurnEventData;
import dev.agentkernel.protocol.BearerCheck;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small runner that speaks protocol.md without an LLM, so the kernel's backend and client can be
 * tested in this module. Turn replies: {@code Echo: <text>} in two text chunks; "hold" keeps the
 * turn open until cancelled (then writes {@code cancelled} into the workspace); "die" halts the
 * process mid-turn. The real runner is tested in module tests.
 */
public final class MiniRunner {
    private static JsonNode config;
    private static final AtomicReference<CountDownLatch> running = new AtomicReference<>();

    public static void main(String[] args) throws Exception {
        config = Protocol.json().readTree(Path.of(args[1]).toFile());
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(config.path("bind_address").asText("127.0.0.1"), config.get("http_port").asInt()), 64);
        } catch (BindException e) {
            System.err.println("port " + config.get("http_port") + " is in use");
            System.exit(Protocol.EXIT_PORT_IN_USE);
            return;
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(Protocol.PATH_HEALTH, ex -> send(ex, 200, "{\"status\":\"ok\"}"));
        server.createContext(Protocol.PATH_TURN, MiniRunner::turn);
        server.createContext(Protocol.PATH_CANCEL, ex -> {
            if (!authorized(ex)) return;
            CountDownLatch l = running.get();
            if (l != null) l.countDown();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.createContext(Protocol.PATH_HISTORY, ex -> {
            if (!authorized(ex)) return;
            Path h = Path.of(config.get("state_dir").asText(), Protocol.HISTORY_FILE);
            ArrayNode out = Protocol.json().createArrayNode();
            if (Files.exists(h)) for (String line : Files.readAllLines(h)) out.add(Protocol.json().readTree(line));
            send(ex, 200, out.toString());
        });
        server.createContext(Protocol.PATH_INFO, ex -> {
            if (!authorized(ex)) return;
            ObjectNode info = Protocol.json().createObjectNode().put("agent_id", config.get("agent_id").asText())
                    .put("name", config.path("name").asText()).put("pid", ProcessHandle.current().pid())
                    .put("cwd", Path.of("").toAbsolutePath().toString()).put("uid", 1000).put("model", config.path("model").asText());
            info.putArray("tools").add("bash");
            send(ex, 200, info.toString());
        });
        server.start();
    }

    private static boolean authorized(HttpExchange ex) throws IOException {
        if (!new BearerCheck(config.get("nonce").asText()).accepts(ex.getRequestHeaders().getFirst(BearerCheck.HEADER))) {
            send(ex, 401, "{\"error\":\"wrong nonce\"}");
            return false;
        }
        return true;
    }

    private static void turn(HttpExchange ex) throws IOException {
        if (!authorized(ex)) return;
        String text;
        try {
            JsonNode body = Protocol.json().readTree(ex.getRequestBody());
            text = body.get("messages").get(0).get("content").asText();
        } catch (Exception e) {
            send(ex, 400, "{\"error\":\"body must be {\\\"messages\\\":[...]}\"}");
            return;
        }
        CountDownLatch latch = new CountDownLatch(1);
        if (!running.compareAndSet(null, latch)) {
            send(ex, 409, "{\"error\":\"a turn is already running\"}");
            return;
        }
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            appendHistory("user", text);
            if (text.equals("die")) {
                event(out, Protocol.EVENT_TEXT, TurnEventData.piece("about to die").toString());
                Runtime.getRuntime().halt(9);
            }
            if (text.equals("hold")) {
                event(out, Protocol.EVENT_TEXT, TurnEventData.piece("holding").toString());
                if (latch.await(30, TimeUnit.SECONDS)) {
                    running.compareAndSet(latch, null);
                    Files.writeString(Path.of(config.get("workspace").asText(), "cancelled"), "yes");
                }
                return;
            }
            String reply = "Echo: " + text;
            int half = reply.length() / 2;
            event(out, Protocol.EVENT_TEXT, TurnEventData.piece(reply.substring(0, half)).toString());
            event(out, Protocol.EVENT_TEXT, TurnEventData.piece(reply.substring(half)).toString());
            appendHistory("assistant", reply);
            // Free the agent before the last event, as the protocol's runner does: the client may send the next turn at once.
            running.set(null);
            event(out, Protocol.EVENT_DONE, Protocol.json().createObjectNode().put(TurnEventData.DONE, true)
                    .put(TurnEventData.STOP_REASON, "end_turn").toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientGone) {
            // The kernel closed the stream.
        } finally {
            running.compareAndSet(latch, null);
            ex.close();
        }
    }

    private static synchronized void appendHistory(String role, String content) throws IOException {
        Path h = Path.of(config.get("state_dir").asText(), Protocol.HISTORY_FILE);
        String line = Protocol.json().createObjectNode().put("role", role).put("content", content) + "\n";
        Files.writeString(h, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void event(OutputStream out, String name, String data) throws IOException {
        out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int code, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    /** A script usable as OPENCLAW_RUNNER_BIN that starts this class with the test class path. */
    public static Path script(Path dir) throws IOException {
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Path p = dir.resolve("mini-runner.sh");
        Files.writeString(p, "#!/bin/sh\nexec '" + javaBin + "' -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp '"
                + System.getProperty("java.class.path") + "' " + MiniRunner.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        return p;
    }

}
