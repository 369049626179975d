package dev.agentkernel.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * The runner's config file (protocol.md). Field names keep the Python original's snake_case so
 * either side can be swapped. Unknown fields are ignored so a newer kernel can talk to an older runner.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunnerConfig(
        @JsonProperty("agent_id") String agentId,
        @JsonProperty("nonce") String nonce,
        @JsonProperty("name") String name,
        @JsonProperty("agent_type") String agentType,
        @JsonProperty("system_prompt") String systemPrompt,
        @JsonProperty("model") String model,
        @JsonProperty("provider") String provider,
        @JsonProperty("tools") List<String> tools,
        @JsonProperty("thinking_level") String thinkingLevel,
        @JsonProperty("http_port") Integer httpPort,
        @JsonProperty("api_key") String apiKey,
        @JsonProperty("base_url") String baseUrl,
        @JsonProperty("agentbus_url") String agentbusUrl,
        @JsonProperty("disable_safety") Boolean disableSafety,
        @JsonProperty("workspace") String workspace,
        @JsonProperty("bind_address") String bindAddress,
        @JsonProperty("state_dir") String stateDir,
        @JsonProperty("bundles") List<String> bundles,
        @JsonProperty("max_tool_rounds") Integer maxToolRounds,
        @JsonProperty("bash_timeout_seconds") Integer bashTimeoutSeconds,
        @JsonProperty("agentbus_port") Integer agentbusPort,
        @JsonProperty("owner_pid") Long ownerPid,
        @JsonProperty("extra") Map<String, Object> extra,
        @JsonProperty("owner_start_millis") Long ownerStartMillis,
        @JsonProperty("owner_pipe") Boolean ownerPipe,
        @JsonProperty("agentbus_voters") List<String> agentbusVoters,
        @JsonProperty("agentbus_policy") String agentbusPolicy,
        @JsonProperty("agentbus_vote_timeout_ms") Long agentbusVoteTimeoutMs,
        @JsonProperty("agentbus_llm_voter") Boolean agentbusLlmVoter,
        // Set when the runner lives in its own network namespace (sandbox backend, isolated network): the
        // directory of the relay sockets (RelaySockets) through which it is reached and reaches its LLM.
        @JsonProperty("relay_dir") String relayDir,
        // HTTP limits of the runner's servers (docs/architecture.md "HTTP limits"); null = the defaults below.
        @JsonProperty("max_turn_body_bytes") Integer maxTurnBodyBytes,
        @JsonProperty("http_max_connections") Integer httpMaxConnections,
        @JsonProperty("http_idle_timeout_seconds") Integer httpIdleTimeoutSeconds,
        @JsonProperty("http_request_timeout_seconds") Integer httpRequestTimeoutSeconds,
        // Names of the variables the user passed in SpawnRequest.env: the runner hands them to its tools even when
        // they have the name of one of its secrets (SECRET_ENV); every other secret is scrubbed from the tools.
        @JsonProperty("user_env") List<String> userEnv) {

    public static final int DEFAULT_MAX_TOOL_ROUNDS = 20;
    public static final int DEFAULT_BASH_TIMEOUT_SECONDS = 120;
    /**
     * Largest {@code POST /turn} body the runner reads; a bigger one is answered 413 before it is read. 8 MiB: a
     * pasted file fits, and the body, its JSON tree and its history line stay far inside the runner's 256 MB heap.
     */
    public static final int DEFAULT_MAX_TURN_BODY_BYTES = 8 * 1024 * 1024;
    /**
     * The most {@code max_turn_body_bytes} may be raised to. Jackson refuses a JSON string over 20,000,000 chars
     * (its default StreamReadConstraints), which a bigger body could hold: that would be a misleading "not JSON".
     */
    public static final int MAX_TURN_BODY_BYTES_CEILING = 16 * 1024 * 1024;
    /** Open connections per runner HTTP server (turn protocol, AgentBus each); more are closed at accept. */
    public static final int DEFAULT_HTTP_MAX_CONNECTIONS = 64;

    /** Where a pod's runner finds its nonce: secrets never go into the ConfigMap-held config file. */
    public static final String ENV_NONCE = "AGENTKERNEL_NONCE";

    /**
     * The runner's own secrets as they may reach its environment (the kernel forwards the LLM keys; a pod gets the
     * nonce from a Secret). The runner removes them from its tools' environment unless listed in {@code user_env}.
     */
    public static final List<String> SECRET_ENV = List.of("LLM_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", ENV_NONCE);

    /** Never print secrets: the nonce and the API key are elided. */
    @Override
    public String toString() {
        return "RunnerConfig[agent_id=" + agentId + ", name=" + name + ", agent_type=" + agentType
                + ", model=" + model + ", provider=" + provider + ", http_port=" + httpPort
                + ", bind_address=" + bindAddress + ", workspace=" + workspace + ", nonce=<redacted>, api_key="
                + (apiKey == null || apiKey.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
