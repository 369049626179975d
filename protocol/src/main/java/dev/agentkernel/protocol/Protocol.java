package dev.agentkernel.protocol;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Names shared by the kernel and the runner: paths, SSE event names, the JSON mapper. See protocol.md. */
public final class Protocol {
    private Protocol() {}

    public static final int VERSION = 1;

    public static final String PATH_HEALTH = "/health";
    public static final String PATH_TURN = "/turn";
    public static final String PATH_CANCEL = "/cancel";
    public static final String PATH_HISTORY = "/history";
    public static final String PATH_INFO = "/info";
    /**
     * A standby runner's only authenticated call: {@code POST /claim} with {@code Authorization: Bearer <nonce>} once
     * the spawner has written the agent's {@code --config} file. The runner reads it, starts the agent on the config's
     * {@code http_port} and answers {@code 200 {"url": ...}} when that port is ready (or a JSON error, and exits).
     */
    public static final String PATH_CLAIM = "/claim";
    /**
     * Environment variable that makes a runner a standby (the kernel's warm pool): its value is the path of a JSON
     * file in the config's format holding {@code http_port}, {@code bind_address}, {@code nonce}, the owner fields and
     * {@code provider}. The runner warms that provider's SDK path, serves {@code GET /health} and {@link #PATH_CLAIM}
     * on that port, and becomes the agent its {@code --config} file describes when claimed.
     */
    public static final String ENV_RUNNER_STANDBY = "AGENTKERNEL_RUNNER_STANDBY";
    /** {@code /info} field: true when the agent was claimed from a standby runner of the kernel's warm pool. */
    public static final String INFO_CLAIMED = "claimed";

    /**
     * {@code /info} field: the class cache the runner's JVM actually mapped, {@code aot} (a JDK 25 AOT cache),
     * {@code cds} (an AppCDS archive) or {@code none} (asked for none, or the JVM could not use the one it was given).
     */
    public static final String INFO_CLASS_CACHE = "class_cache";
    /** {@code /info} field: the class cache the kernel started the runner with ({@code aot}, {@code cds}, {@code none}). */
    public static final String INFO_CLASS_CACHE_REQUESTED = "class_cache_requested";
    /**
     * {@code /info} field: what the runner's warm-up did before it reported ready: {@code turn} (client built and one
     * scripted turn rehearsed in the runner), {@code build} (client built), {@code off}, or {@code failed} (the client
     * could not be built, e.g. no key, or the rehearsal failed: the first turn reports or pays for it).
     */
    public static final String INFO_WARM_UP = "warm_up";
    /**
     * System property the kernel starts a runner with: what it does with its LLM client before it reports ready, one of
     * {@link #WARM_UP_MODES}: {@code turn} (the default) builds it and rehearses one whole streamed turn against a
     * scripted server in the runner; {@code build} only builds it and one request; {@code off} leaves everything to
     * the first turn. {@link #INFO_WARM_UP} reports the mode, or {@code failed}.
     */
    public static final String WARM_UP_PROPERTY = "agentkernel.runner.warm";
    /** The values of {@link #WARM_UP_PROPERTY}, the default first. */
    public static final java.util.List<String> WARM_UP_MODES = java.util.List.of("turn", "build", "off");
    /** System property the kernel starts a runner with, naming the class cache kind it passed (see INFO_CLASS_CACHE). */
    public static final String CLASS_CACHE_PROPERTY = "agentkernel.class.cache";

    public static final String EVENT_TEXT = "text";
    public static final String EVENT_THINKING = "thinking";
    public static final String EVENT_TOOL_USE = "tool_use";
    public static final String EVENT_TOOL_RESULT = "tool_result";
    public static final String EVENT_ERROR = "error";
    public static final String EVENT_DONE = "done";

    /**
     * How often the runner writes an SSE comment on a turn stream that is otherwise silent (a long tool run). A turn
     * client's read timeout must be longer (several times, for a loaded machine), so a silent server is noticed and a
     * quiet turn is not.
     */
    public static final java.time.Duration SSE_KEEP_ALIVE = java.time.Duration.ofSeconds(5);

    /** Runner exit code when its HTTP port was taken between the kernel's choice and the bind: the spawner retries. */
    public static final int EXIT_PORT_IN_USE = 3;
    /** Runner exit code for a config file that is missing required fields or is not valid JSON. */
    public static final int EXIT_BAD_CONFIG = 2;

    /**
     * The runner closes a keep-alive connection that carried no request for this long (runner config
     * {@code http_idle_timeout_seconds}). A client must drop pooled connections sooner, or it may send a request
     * down a connection the runner is closing: the JDK HttpClient's default keep-alive of 30 s is.
     * A turn's SSE stream is not idle: its keep-alives run until the turn ends.
     */
    public static final java.time.Duration HTTP_IDLE_TIMEOUT = java.time.Duration.ofSeconds(60);
    /**
     * A request's line, headers and body must all arrive within this (runner config
     * {@code http_request_timeout_seconds}); a connection that sends nothing at all is closed after it too.
     * Slow-loris defence; a legitimate body of the largest allowed size crosses a port-forward well within it.
     */
    public static final java.time.Duration HTTP_REQUEST_TIMEOUT = java.time.Duration.ofSeconds(30);

    /** The file name, inside an agent's directory, of its append-only conversation log. */
    public static final String HISTORY_FILE = "history.jsonl";
    /** The file name, inside an agent's directory, of its AgentBus log (agents spawned with the bus). */
    public static final String AGENTBUS_FILE = "agentbus.jsonl";

    /**
     * Where each provider's SDK sends requests when the runner config names no {@code base_url}: the runner's proxy
     * choice and the sandbox's egress allow-list must agree on it, so it is spelled here once.
     */
    public static final java.util.Map<String, String> DEFAULT_LLM_ENDPOINTS = java.util.Map.of(
            "anthropic", "https://api.anthropic.com",
            "openai", "https://api.openai.com/v1");

    /** The endpoint of {@code provider} for a config without {@code base_url}; Anthropic's for any other name. */
    public static String defaultLlmEndpoint(String provider) {
        return DEFAULT_LLM_ENDPOINTS.getOrDefault(provider == null ? "anthropic" : provider, DEFAULT_LLM_ENDPOINTS.get("anthropic"));
    }

    /**
     * Built on first use, not when any constant here is first read: an {@code ObjectMapper} costs ~200 ms in a fresh
     * JVM (class-load log of a cold kernel, 2026-12-06), which a kernel's {@code build()} used to pay on the spawn's path.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /** A shared, thread-safe mapper; callers must not reconfigure it. */
    public static ObjectMapper json() {
        return Json.MAPPER;
    }
}
