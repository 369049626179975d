package dev.agentkernel.bus;

import dev.agentkernel.protocol.BusLogEntry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.AgentKernelException;
import dev.agentkernel.AgentNotFoundException;
import dev.agentkernel.AgentUnreachableException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.NonceRejectedException;
import dev.agentkernel.protocol.Protocol;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;

/**
 * Reads an agent's AgentBus log and posts votes, over the runner's bus port (docs/agentbus.md). Get one with
 * {@code kernel.bus(agentId)} for a local agent, {@link #forAgentDir} from a local state dir, or {@link #connect}
 * for any URL (a Kubernetes pod through {@code kubectl port-forward}).
 */
public final class AgentBusClient {
    /** How long one long-poll waits on the runner when there is nothing new. */
    public static final Duration POLL_WAIT = Duration.ofSeconds(20);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final OkHttpClient HTTP = new OkHttpClient.Builder()
            .connectTimeout(5, TimeUnit.SECONDS)
            .readTimeout(POLL_WAIT.plusSeconds(45).toMillis(), TimeUnit.MILLISECONDS)
            .build();

    private final HttpUrl base;
    private final String busId;
    private final String nonce;

    private AgentBusClient(HttpUrl base, String busId, String nonce) {
        this.base = base;
        this.busId = busId;
        this.nonce = nonce;
    }

    /** {@code baseUrl} like {@code http://127.0.0.1:8095}; {@code busId} is {@code {agent_name}.{agent_id}}. */
    public static AgentBusClient connect(URI baseUrl, String busId, String nonce) {
        HttpUrl url = HttpUrl.get(baseUrl);
        if (url == null) throw new InvalidRequestException("bus URL " + baseUrl + " is not an http(s) URL, e.g. http://127.0.0.1:8095");
        if (busId == null || busId.isBlank()) throw new InvalidRequestException("busId is empty: it is {agent_name}.{agent_id}");
        if (nonce == null || nonce.isBlank()) throw new InvalidRequestException("nonce is empty: pass the nonce the spawn returned");
        return new AgentBusClient(url, busId, nonce);
    }

    /**
     * For a local agent: reads the agent's {@code config.json} (which only this user can read) for its nonce,
     * name and bus port.
     */
    public static AgentBusClient forAgentDir(Path agentDir) {
        return forAgentDir(agentDir, null);
    }

    /**
     * As {@link #forAgentDir(Path)} with the nonce the caller holds (a kernel's, from its vault): only the bus
     * port and the name are read from {@code config.json}. {@code nonce} null: the file's.
     */
    public static AgentBusClient forAgentDir(Path agentDir, String nonce) {
        Path config = agentDir.resolve("config.json");
        JsonNode c;
        try {
            c = Protocol.json().readTree(Files.readString(config));
        } catch (NoSuchFileException e) {
            throw new AgentNotFoundException("no agent at " + agentDir + " (no config.json): check the agent id with "
                    + "kernel.status() or bin/agentkernel list");
        } catch (IOException e) {
            throw new AgentKernelException("cannot read " + config + ": " + e.getMessage(), e);
        }
        if (!c.hasNonNull("agentbus_port")) {
            throw new InvalidRequestException("agent " + c.path("agent_id").asText() + " was spawned without the AgentBus: "
                    + "spawn it with SpawnRequest.builder().agentbus(AgentBusConfig.builder().port(0).build())");
        }
        String host = c.path("bind_address").asText("127.0.0.1");
        if (host.isBlank() || host.equals("0.0.0.0")) host = "127.0.0.1";
        String id = c.path("agent_id").asText();
        String name = c.hasNonNull("name") ? c.get("name").asText() : id;
        return connect(URI.create("http://" + host + ":" + c.get("agentbus_port").asInt()), name + "." + id,
                nonce != null ? nonce : c.path("nonce").asText());
    }

    public String busId() {
        return busId;
    }

    public URI baseUrl() {
        return base.uri();
    }

    /** Every entry from {@code start} that exists now (no waiting). */
    public List<BusEntry> entries(long start) {
        return entries(start, Duration.ZERO);
    }

    /** Entries from {@code start}; waits up to {@code wait} (capped by the runner at 60 s) while there are none. */
    public List<BusEntry> entries(long start, Duration wait) {
        if (start < 0) throw new InvalidRequestException("start must be 0 or more, got " + start);
        HttpUrl url = base.newBuilder().addPathSegment("bus").addPathSegment(busId).addPathSegment("entries")
                .addQueryParameter("start", Long.toString(start))
                .addQueryParameter("timeout_ms", Long.toString(wait.toMillis())).build();
        JsonNode body = call(new Request.Builder().url(url).get());
        List<BusEntry> out = new ArrayList<>();
        for (JsonNode e : body.path("entries")) {
            out.add(new BusEntry(e.path(BusLogEntry.POSITION).asLong(), e.path(BusLogEntry.TIMESTAMP).asText(),
                    e.path(BusLogEntry.TYPE).asText(), e.path(BusLogEntry.PAYLOAD)));
        }
        return out;
    }

    /**
     * Follows the log from {@code start}: {@code hasNext()} long-polls until an entry arrives, so iterate on a
     * thread that may block; stop by breaking out of the loop. Every entry is seen once, in order.
     */
    public Iterable<BusEntry> follow(long start) {
        return () -> new Iterator<>() {
            private long next = start;
            private final java.util.ArrayDeque<BusEntry> buffer = new java.util.ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (buffer.isEmpty()) {
                    if (Thread.currentThread().isInterrupted()) return false;
                    List<BusEntry> got = entries(next, POLL_WAIT);
                    buffer.addAll(got);
                    if (!got.isEmpty()) next = got.getLast().position() + 1;
                }
                return true;
            }

            @Override
            public BusEntry next() {
                if (!hasNext()) throw new NoSuchElementException();
                return buffer.poll();
            }
        };
    }

    /** Intentions in the log that have no decision yet: the ones an external vote can still decide. */
    public List<BusEntry> pending() {
        Map<String, BusEntry> open = new LinkedHashMap<>();
        for (BusEntry e : entries(0)) {
            if (e.type().equals(BusEntry.INTENTION) && e.payload().path("gated").asBoolean(true)) open.put(e.intentionId(), e);
            if (e.type().equals(BusEntry.DECISION)) open.remove(e.intentionId());
        }
        return List.copyOf(open.values());
    }

    /**
     * Votes on a pending intention as an external voter.
     *
     * @throws InvalidRequestException for an unknown intention (404) or one already decided (409)
     */
    public void vote(String intentionId, boolean approve, String reason) {
        vote(intentionId, approve, System.getProperty("user.name", "person"), reason);
    }

    public void vote(String intentionId, boolean approve, String voter, String reason) {
        String body = Protocol.json().createObjectNode().put("intention_id", intentionId).put("approve", approve)
                .put("voter", voter).put("reason", reason == null ? "" : reason).toString();
        HttpUrl url = base.newBuilder().addPathSegment("bus").addPathSegment(busId).addPathSegment("votes").build();
        call(new Request.Builder().url(url).post(RequestBody.create(body, JSON)));
    }

    public void approve(String intentionId) {
        vote(intentionId, true, "approved");
    }

    public void reject(String intentionId, String reason) {
        vote(intentionId, false, reason);
    }

    private JsonNode call(Request.Builder builder) {
        Request request = builder.header("Authorization", "Bearer " + nonce).build();
        try (Response response = HTTP.newCall(request).execute()) {
            String text = response.body() == null ? "" : response.body().string();
            JsonNode body = text.isEmpty() ? Protocol.json().createObjectNode() : Protocol.json().readTree(text);
            String error = body.path("error").asText("HTTP " + response.code());
            return switch (response.code()) {
                case 200 -> body;
                case 401 -> throw new NonceRejectedException("the bus " + busId + " refused the nonce: " + error);
                case 404, 409, 400 -> throw new InvalidRequestException(error);
                default -> throw new AgentKernelException("the bus at " + base + " answered " + response.code() + ": " + error);
            };
        } catch (IOException e) {
            throw new AgentUnreachableException("cannot reach the AgentBus at " + base + " (" + e.getMessage()
                    + "): is the agent still running? For a pod, run kubectl port-forward first", e);
        }
    }

    @Override
    public String toString() {
        return "AgentBusClient[" + busId + " at " + base + "]";
    }
}
