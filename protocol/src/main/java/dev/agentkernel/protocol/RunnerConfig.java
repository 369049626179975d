package dev.agentkernel.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runner's config file (protocol.md). Field names keep the Python original's snake_case so
 * either side can be swapped. Unknown fields are ignored so a newer kernel can talk to an older runner.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunnerConfig(
        @JsonProperty(AGENT_ID) String agentId,
        @JsonProperty(NONCE) String nonce,
        @JsonProperty(NAME) String name,
        @JsonProperty(AGENT_TYPE) String agentType,
        @JsonProperty("system_prompt") String systemPrompt,
        @JsonProperty("model") String model,
        @JsonProperty(PROVIDER) String provider,
        @JsonProperty("tools") List<String> tools,
        @JsonProperty("thinking_level") String thinkingLevel,
        @JsonProperty(HTTP_PORT) Integer httpPort,
        @JsonProperty(API_KEY) String apiKey,
        @JsonProperty(BASE_URL) String baseUrl,
        @JsonProperty(AGENTBUS_URL) String agentbusUrl,
        @JsonProperty(DISABLE_SAFETY) Boolean disableSafety,
        @JsonProperty(WORKSPACE) String workspace,
        @JsonProperty(BIND_ADDRESS) String bindAddress,
        @JsonProperty(STATE_DIR) String stateDir,
        @JsonProperty(BUNDLES) List<String> bundles,
        @JsonProperty("max_tool_rounds") Integer maxToolRounds,
        @JsonProperty("bash_timeout_seconds") Integer bashTimeoutSeconds,
        @JsonProperty(AGENTBUS_PORT) Integer agentbusPort,
        @JsonProperty(OWNER_PID) Long ownerPid,
        @JsonProperty("extra") Map<String, Object> extra,
        @JsonProperty(OWNER_START_MILLIS) Long ownerStartMillis,
        @JsonProperty(OWNER_PIPE) Boolean ownerPipe,
        @JsonProperty(AGENTBUS_VOTERS) List<String> agentbusVoters,
        @JsonProperty(AGENTBUS_POLICY) String agentbusPolicy,
        @JsonProperty(AGENTBUS_VOTE_TIMEOUT_MS) Long agentbusVoteTimeoutMs,
        @JsonProperty(AGENTBUS_LLM_VOTER) Boolean agentbusLlmVoter,
        // Set when the runner lives in its own network namespace (sandbox backend, isolated network): the
        // directory of the relay sockets (RelaySockets) through which it is reached and reaches its LLM.
        @JsonProperty(RELAY_DIR) String relayDir,
        // HTTP limits of the runner's servers (docs/architecture.md "HTTP limits"); null = the defaults below.
        @JsonProperty("max_turn_body_bytes") Integer maxTurnBodyBytes,
        @JsonProperty("http_max_connections") Integer httpMaxConnections,
        @JsonProperty("http_idle_timeout_seconds") Integer httpIdleTimeoutSeconds,
        @JsonProperty("http_request_timeout_seconds") Integer httpRequestTimeoutSeconds,
        // Names of the variables the user passed in SpawnRequest.env: the runner hands them to its tools even when
        // they have the name of one of its secrets (SECRET_ENV); every other secret is scrubbed from the tools.
        @JsonProperty(USER_ENV) List<String> userEnv) {

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

    // The field names the kernel writes (protocol.md); the record's @JsonProperty reads the same constants.
    public static final String AGENT_ID = "agent_id";
    public static final String NONCE = "nonce";
    public static final String NAME = "name";
    public static final String AGENT_TYPE = "agent_type";
    public static final String PROVIDER = "provider";
    public static final String HTTP_PORT = "http_port";
    public static final String API_KEY = "api_key";
    public static final String BASE_URL = "base_url";
    public static final String AGENTBUS_URL = "agentbus_url";
    public static final String DISABLE_SAFETY = "disable_safety";
    public static final String WORKSPACE = "workspace";
    public static final String BIND_ADDRESS = "bind_address";
    public static final String STATE_DIR = "state_dir";
    public static final String BUNDLES = "bundles";
    public static final String AGENTBUS_PORT = "agentbus_port";
    public static final String OWNER_PID = "owner_pid";
    public static final String OWNER_START_MILLIS = "owner_start_millis";
    public static final String OWNER_PIPE = "owner_pipe";
    public static final String AGENTBUS_VOTERS = "agentbus_voters";
    public static final String AGENTBUS_POLICY = "agentbus_policy";
    public static final String AGENTBUS_VOTE_TIMEOUT_MS = "agentbus_vote_timeout_ms";
    public static final String AGENTBUS_LLM_VOTER = "agentbus_llm_voter";
    public static final String RELAY_DIR = "relay_dir";
    public static final String USER_ENV = "user_env";

    /**
     * The config of a new runner as the kernel's backends build it: the agent type's fields
     * ({@code AgentTypePlugin.runnerConfig}, kept as given, unknown ones too) plus the typed fields each backend sets.
     */
    public static Builder builder(Map<String, ?> typeFields) {
        return new Builder(typeFields);
    }

    /** Collects the fields in the order they are set; {@link #toJson()} writes them, {@link #build()} reads them back typed. */
    public static final class Builder {
        private final Map<String, Object> fields = new LinkedHashMap<>();

        private Builder(Map<String, ?> typeFields) {
            fields.putAll(typeFields);
        }

        public Builder agentId(String v) { return set(AGENT_ID, v); }
        public Builder nonce(String v) { return set(NONCE, v); }
        public Builder name(String v) { return set(NAME, v); }
        public Builder agentType(String v) { return set(AGENT_TYPE, v); }
        public Builder httpPort(int v) { return set(HTTP_PORT, v); }
        public Builder bindAddress(String v) { return set(BIND_ADDRESS, v); }
        public Builder workspace(String v) { return set(WORKSPACE, v); }
        public Builder stateDir(String v) { return set(STATE_DIR, v); }
        public Builder ownerPid(long v) { return set(OWNER_PID, v); }
        public Builder ownerStartMillis(long v) { return set(OWNER_START_MILLIS, v); }
        public Builder ownerPipe(boolean v) { return set(OWNER_PIPE, v); }
        public Builder relayDir(String v) { return set(RELAY_DIR, v); }
        /** Names of the variables the user passed; set only when there are any. */
        public Builder userEnv(Collection<String> names) { return names.isEmpty() ? this : set(USER_ENV, names.stream().sorted().toList()); }
        public Builder bundles(List<String> dirs) { return set(BUNDLES, List.copyOf(dirs)); }

        /** The AgentBus fields for a bus on {@code port} (docs/agentbus.md); every backend writes the same ones. */
        public Builder agentbus(int port, boolean disableSafety, List<String> voters, String policy, long voteTimeoutMs,
                                boolean llmVoter) {
            set(AGENTBUS_PORT, port);
            set(AGENTBUS_URL, "http://127.0.0.1:" + port);
            set(DISABLE_SAFETY, disableSafety);
            set(AGENTBUS_VOTERS, voters);
            set(AGENTBUS_POLICY, policy);
            set(AGENTBUS_VOTE_TIMEOUT_MS, voteTimeoutMs);
            return set(AGENTBUS_LLM_VOTER, llmVoter);
        }

        /** Drops fields, e.g. the secrets a Kubernetes ConfigMap must not hold. */
        public Builder without(String... names) {
            for (String n : names) fields.remove(n);
            return this;
        }

        /** The fields set so far, by name, with the values as given. */
        public Map<String, Object> fields() {
            return Collections.unmodifiableMap(fields);
        }

        public ObjectNode toJson() {
            return Protocol.json().valueToTree(fields);
        }

        /** The config file as the runner reads it. */
        public byte[] toJsonBytes() throws JsonProcessingException {
            return Protocol.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(fields);
        }

        /** The typed view (fields the runner does not know are left out). */
        public RunnerConfig build() {
            return Protocol.json().convertValue(fields, RunnerConfig.class);
        }

        private Builder set(String name, Object value) {
            fields.put(name, value);
            return this;
        }
    }

    /** Never print secrets: the nonce and the API key are elided. */
    @Override
    public String toString() {
        return "RunnerConfig[agent_id=" + agentId + ", name=" + name + ", agent_type=" + agentType
                + ", model=" + model + ", provider=" + provider + ", http_port=" + httpPort
                + ", bind_address=" + bindAddress + ", workspace=" + workspace + ", nonce=<redacted>, api_key="
                + (apiKey == null || apiKey.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
