package dev.agentkernel.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.AgentBusyException;
import dev.agentkernel.Ask;
import dev.agentkernel.AgentClient;
import dev.agentkernel.AgentInfo;
import dev.agentkernel.AgentKernelException;
import dev.agentkernel.AgentNotFoundException;
import dev.agentkernel.AgentUnreachableException;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.NonceRejectedException;
import dev.agentkernel.TurnRequest;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.spawn.AgentEndpoint;
import dev.agentkernel.spawn.Backend;
import dev.agentkernel.spawn.NonceVault;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The turn protocol over HTTP (OkHttp) and SSE (okhttp-sse). Each agent's address comes from the
 * backend; nonces for calls that carry none come from the kernel's in-memory {@link NonceVault}.
 */
public final class HttpAgentClient implements AgentClient, AutoCloseable {

    static final MediaType JSON = MediaType.get("application/json");
    /** How long a turn may wait for the agent's response headers (the runner sends them at once). */
    static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(30);

    private final Backend backend;
    private final NonceVault vault;
    private final Duration turnReadTimeout;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * A turn stream that sends nothing at all (not even the runner's keep-alive comment, every
     * {@link Protocol#SSE_KEEP_ALIVE}) for this long is abandoned with an error chunk naming the timeout: a model or a
     * tool may be silent for minutes, but the runner never is, so only a hung runner or network trips it.
     */
    static final Duration TURN_READ_TIMEOUT = Protocol.SSE_KEEP_ALIVE.multipliedBy(6);

    /**
     * Turns ({@code streaming}: a read timeout well above the keep-alive interval; the agent's process is watched as
     * well) and history, info, cancel ({@code calls}: short calls). Built off the spawn's path ({@link #warmUp()}).
     */
    private record Clients(OkHttpClient streaming, OkHttpClient calls) {}

    private final Prebuilt<Clients> clients;

    public HttpAgentClient(Backend backend, NonceVault vault) {
        this(backend, vault, TURN_READ_TIMEOUT);
    }

    /** With another turn read timeout (tests: a silent server is given up on in a second). */
    HttpAgentClient(Backend backend, NonceVault vault, Duration turnReadTimeout) {
        this.turnReadTimeout = turnReadTimeout;
        this.backend = backend;
        this.vault = vault;
        this.clients = new Prebuilt<>(() -> {
            // All agents live on 127.0.0.1: OkHttp's default of 5 calls per host would queue the 6th turn.
            Dispatcher dispatcher = new Dispatcher(executor);
            dispatcher.setMaxRequests(4096);
            dispatcher.setMaxRequestsPerHost(4096);
            // Whatever idle timeout the runner's server has, a connection it closed while pooled is retried fresh.
            OkHttpClient streaming = RunnerConnections.builder(new ConnectionPool(32, 30, TimeUnit.SECONDS))
                    .dispatcher(dispatcher)
                    .connectTimeout(Duration.ofSeconds(5))
                    .readTimeout(turnReadTimeout)
                    .retryOnConnectionFailure(false)
                    .build();
            return new Clients(streaming, streaming.newBuilder()
                    .readTimeout(Duration.ofSeconds(30))
                    .callTimeout(Duration.ofSeconds(60))
                    .build());
        });
    }

    /**
     * Builds the HTTP clients and loads what a turn's events are parsed with, ahead of the first call; the kernel's
     * warm-up thread runs this while the first runner starts.
     */
    public void warmUp() {
        clients.get();
        SseTurnStream.warmUp();
    }

    // ---------------------------------------------------------------- turns

    @Override
    public TurnStream turn(TurnRequest request) {
        if (request == null) throw new InvalidRequestException("TurnRequest is null");
        AgentEndpoint endpoint = backend.endpoint(request.agentId());
        if (request.nonce() == null || request.nonce().isEmpty()) {
            throw new NonceRejectedException("TurnRequest for agent '" + endpoint.name() + "' has no nonce; use the nonce from its SpawnResult");
        }
        byte[] body = request.body() == null ? new byte[0] : request.body();
        Request http = new Request.Builder()
                .url(url(endpoint, Protocol.PATH_TURN))
                .header("Authorization", "Bearer " + request.nonce())
                .header("Accept", "text/event-stream")
                .post(RequestBody.create(body, JSON))
                .build();
        Call call = clients.get().streaming().newCall(http);
        Response response = awaitHeaders(call, endpoint);
        if (response.code() != 200) {
            try (response) {
                throw errorFor(endpoint, response, "turn");
            }
        }
        String nonce = request.nonce();
        return new SseTurnStream(call, response, endpoint, () -> cancel(endpoint, nonce), executor, turnReadTimeout);
    }

    /** Waits for the response headers, watching the agent's process so a dead agent does not stall us. */
    private Response awaitHeaders(Call call, AgentEndpoint endpoint) {
        CompletableFuture<Response> future = CompletableFuture.supplyAsync(() -> {
            try {
                return call.execute();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, executor);
        long deadline = System.nanoTime() + HEADERS_TIMEOUT.toNanos();
        while (true) {
            try {
                return future.get(SseTurnStream.LIVENESS_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!endpoint.isAlive() || System.nanoTime() > deadline) {
                    call.cancel();
                    throw unreachable(endpoint, endpoint.isAlive() ? "it did not answer within " + HEADERS_TIMEOUT.toSeconds() + " s" : "its process is no longer running", null);
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
                throw unreachable(endpoint, settledAlive(endpoint) ? cause.toString() : "its process is no longer running", cause);
            } catch (InterruptedException e) {
                call.cancel();
                Thread.currentThread().interrupt();
                throw new AgentKernelException("interrupted while starting a turn with agent '" + endpoint.name() + "'", e);
            }
        }
    }

    private void cancel(AgentEndpoint endpoint, String nonce) {
        Request http = new Request.Builder().url(url(endpoint, Protocol.PATH_CANCEL))
                .header("Authorization", "Bearer " + nonce)
                .post(RequestBody.create(new byte[0], JSON)).build();
        try (Response ignored = clients.get().calls().newBuilder().callTimeout(Duration.ofSeconds(5)).build().newCall(http).execute()) {
            // 204 expected; anything else means the turn already ended.
        } catch (IOException e) {
            // The agent is gone or busy dying: nothing left to cancel.
        }
    }

    /** Messages name the agent by name and id when this kernel knows it. */
    @Override
    public Ask newAsk(String agentId, String nonce, String message) {
        String who = agentId == null ? null : backend.agent(agentId).map(a -> "'" + a.name() + "' (" + agentId + ")").orElse(agentId);
        return new Ask(this, agentId, nonce, message, who);
    }

    @Override
    public CompletableFuture<String> askAsync(String agentId, String nonce, String message) {
        return async(() -> ask(agentId, nonce, message));
    }

    // ---------------------------------------------------------------- history, info

    @Override
    public CompletableFuture<List<HistoryEntry>> getHistory(String agentId, int lastN) {
        return async(() -> {
            AgentEndpoint endpoint = backend.endpoint(agentId);
            HttpUrl.Builder url = url(endpoint, Protocol.PATH_HISTORY).newBuilder();
            if (lastN > 0) url.addQueryParameter("last_n", Integer.toString(lastN));
            return HistoryEntries.parse(getJson(endpoint, url.build(), "history"));
        });
    }

    @Override
    public CompletableFuture<AgentInfo> getInfo(String agentId) {
        return async(() -> {
            AgentEndpoint endpoint = backend.endpoint(agentId);
            JsonNode n = getJson(endpoint, url(endpoint, Protocol.PATH_INFO), "info");
            List<String> tools = new ArrayList<>();
            n.path("tools").forEach(t -> tools.add(t.asText()));
            return new AgentInfo(text(n, "agent_id"), text(n, "name"), n.path("pid").asLong(-1), text(n, "cwd"),
                    n.path("uid").asLong(-1), text(n, "started_at"), text(n, "model"), text(n, "provider"),
                    List.copyOf(tools), n);
        });
    }

    private JsonNode getJson(AgentEndpoint endpoint, HttpUrl url, String what) {
        String nonce = vault.get(endpoint.agentId()).orElseThrow(() -> new AgentNotFoundException(
                "this kernel holds no nonce for agent '" + endpoint.name() + "' (" + endpoint.agentId() + "); it was killed or not spawned here"));
        Request http = new Request.Builder().url(url).header("Authorization", "Bearer " + nonce).get().build();
        try (Response response = clients.get().calls().newCall(http).execute()) {
            if (response.code() != 200) throw errorFor(endpoint, response, what);
            return Protocol.json().readTree(response.body().byteStream());
        } catch (IOException e) {
            throw unreachable(endpoint, settledAlive(endpoint) ? e.toString() : "its process is no longer running", e);
        }
    }

    // ---------------------------------------------------------------- errors

    private AgentKernelException errorFor(AgentEndpoint endpoint, Response response, String what) {
        String error = errorMessage(response);
        String who = "agent '" + endpoint.name() + "' (" + endpoint.agentId() + ")";
        return switch (response.code()) {
            case 401 -> new NonceRejectedException(who + " rejected the nonce (HTTP 401); use the nonce from this agent's SpawnResult");
            case 409 -> new AgentBusyException("agent '" + endpoint.name() + "' is already running a turn (started by another"
                    + " caller, or a cancelled turn that did not stop within seconds): wait for it to finish, or cancel it"
                    + " by closing its TurnStream (interrupting the cell that runs it); if it stays busy, kill the agent"
                    + " and see its runner.err");
            case 400 -> new InvalidRequestException(who + " refused the " + what + " request (HTTP 400): " + error
                    + "; a turn body looks like {\"messages\":[{\"role\":\"user\",\"content\":\"...\"}]}");
            default -> new AgentKernelException(who + " answered the " + what + " request with HTTP " + response.code() + ": " + error);
        };
    }

    private static String errorMessage(Response response) {
        try {
            String raw = response.body().string();
            try {
                JsonNode n = Protocol.json().readTree(raw);
                if (n != null && n.hasNonNull("error")) return n.get("error").asText();
            } catch (IOException notJson) {
                // Quote it as it came.
            }
            return raw.isBlank() ? "(no message)" : raw;
        } catch (IOException e) {
            return "(no readable message)";
        }
    }

    /**
     * A refused connection usually means the process just died, but its exit can take a moment to be
     * reported; wait briefly so the message says what happened.
     */
    private static boolean settledAlive(AgentEndpoint endpoint) {
        for (int i = 0; i < 20 && endpoint.isAlive(); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return endpoint.isAlive();
    }

    private static AgentUnreachableException unreachable(AgentEndpoint endpoint, String why, Throwable cause) {
        return new AgentUnreachableException("agent '" + endpoint.name() + "' (" + endpoint.agentId() + ") at "
                + endpoint.baseUri() + " is not reachable: " + why + "; check kernel.status() and the agent's runner.err", cause);
    }

    static HttpUrl url(AgentEndpoint endpoint, String path) {
        if (!"http".equalsIgnoreCase(endpoint.baseUri().getScheme())) {
            // the clients are cleartext only (RunnerConnections); say why rather than OkHttp's "CLEARTEXT-only client"
            throw new AgentUnreachableException("agent '" + endpoint.name() + "' has the address " + endpoint.baseUri()
                    + ", but runners speak plain HTTP with the nonce as bearer token (protocol.md) on a private path; the"
                    + " backend must hand the kernel an http:// address (a loopback port, a relay or a port-forward)");
        }
        return HttpUrl.get(endpoint.baseUri().resolve(path).toString());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private <T> CompletableFuture<T> async(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new AgentKernelException("this kernel is closed; build a new AgentKernel"));
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        if (clients.isBuilt()) clients.get().streaming().connectionPool().evictAll();
    }
}
