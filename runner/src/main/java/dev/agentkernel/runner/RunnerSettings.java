package dev.agentkernel.runner;

import dev.agentkernel.runner.model.BadConfigException;
import dev.agentkernel.protocol.RunnerConfig;
import dev.agentkernel.protocol.relay.RelaySockets;
import dev.agentkernel.runner.tools.ToolRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The runner config with every default applied and every field validated, so the rest of the runner never
 * looks at nulls. Built once at start; a bad config stops the runner before it binds a port.
 */
public record RunnerSettings(
        String agentId,
        String nonce,
        String name,
        String agentType,
        String systemPrompt,
        String model,
        String provider,
        List<String> tools,
        String thinkingLevel,
        String bindAddress,
        int httpPort,
        String apiKey,
        String baseUrl,
        Path workspace,
        Path stateDir,
        int maxToolRounds,
        int bashTimeoutSeconds,
        Owner owner,
        dev.agentkernel.runner.bus.BusSettings bus,
        // null unless the runner has a network namespace of its own: its only ways in and out are then Unix sockets there
        Path relayDir,
        dev.agentkernel.runner.http.HttpLimits http,
        // the variables the user passed in SpawnRequest.env: kept in the tools' environment (ToolEnvironment)
        List<String> userEnv) {

    /**
     * The kernel that owns this runner: its pid and start time (so a reused pid is not mistaken for it) and
     * whether it holds the write end of our stdin. {@link #NONE} for a detached agent or a runner started by hand.
     */
    public record Owner(long pid, Long startMillis, boolean pipe) {
        public static final Owner NONE = new Owner(0, null, false);

        public boolean watched() { return pid > 0 || pipe; }
    }

    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final String DEFAULT_PROVIDER = "anthropic";
    public static final String DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-5";
    public static final String DEFAULT_OPENAI_MODEL = "gpt-4o-mini";
    public static final String DEFAULT_THINKING_LEVEL = "none";
    public static final List<String> DEFAULT_TOOLS = List.of("bash");

    /** Reads and validates the config file; relative defaults (workspace, state dir) are resolved beside it. */
    public static RunnerSettings load(Path configFile, Map<String, String> env) throws BadConfigException {
        String text;
        try {
            text = Files.readString(configFile);
        } catch (NoSuchFileException e) {
            throw new BadConfigException("config file " + configFile + " does not exist: pass --config <path to the runner's config.json>");
        } catch (IOException e) {
            throw new BadConfigException("cannot read config file " + configFile + ": " + e.getMessage());
        }
        if (text.isBlank()) {
            throw new BadConfigException("config file " + configFile + " is empty: it must hold a JSON object with agent_id, nonce and http_port");
        }
        RunnerConfig config;
        try {
            config = ConfigReader.read(text);
        } catch (BadConfigException e) {
            throw new BadConfigException("config file " + configFile + " is not a usable runner config: " + e.getMessage());
        }
        Path dir = configFile.toAbsolutePath().getParent();
        return resolve(config, dir, env);
    }

    /** Applies defaults; {@code configDir} anchors the default workspace and state dir. */
    public static RunnerSettings resolve(RunnerConfig c, Path configDir, Map<String, String> env) throws BadConfigException {
        require(c.agentId(), "agent_id");
        // In a pod the nonce arrives from a Secret as an environment variable, never in the ConfigMap.
        String nonce = blankToNull(c.nonce()) != null ? c.nonce() : env.get(RunnerConfig.ENV_NONCE);
        if (blankToNull(nonce) == null) {
            throw new BadConfigException("config is missing required field nonce: the kernel must write it (see protocol.md), "
                    + "or set it in the environment variable " + RunnerConfig.ENV_NONCE);
        }
        if (c.httpPort() == null) {
            throw new BadConfigException("config is missing required field http_port: the kernel must write the port the runner binds (0 = any free port)");
        }
        if (c.httpPort() < 0 || c.httpPort() > 65535) {
            throw new BadConfigException("config http_port " + c.httpPort() + " is out of range: use 0..65535");
        }
        List<String> tools = c.tools() == null ? DEFAULT_TOOLS : List.copyOf(c.tools());
        for (String tool : tools) {
            if (!ToolRegistry.KNOWN_TOOLS.contains(tool)) {
                throw new BadConfigException("config tools lists unknown tool '" + tool + "': known tools are " + ToolRegistry.KNOWN_TOOLS);
            }
        }
        int maxRounds = c.maxToolRounds() == null ? RunnerConfig.DEFAULT_MAX_TOOL_ROUNDS : c.maxToolRounds();
        if (maxRounds < 0) {
            throw new BadConfigException("config max_tool_rounds is " + maxRounds + ": use 0 or more (0 = never run tools)");
        }
        int bashTimeout = c.bashTimeoutSeconds() == null ? RunnerConfig.DEFAULT_BASH_TIMEOUT_SECONDS : c.bashTimeoutSeconds();
        if (bashTimeout <= 0) {
            throw new BadConfigException("config bash_timeout_seconds is " + bashTimeout + ": use a positive number of seconds");
        }
        checkBaseUrl(c.baseUrl());
        String provider = blankToNull(c.provider()) == null ? DEFAULT_PROVIDER : c.provider().trim().toLowerCase();
        String model = blankToNull(c.model()) != null ? c.model()
                : "openai".equals(provider) ? DEFAULT_OPENAI_MODEL : DEFAULT_ANTHROPIC_MODEL;
        Path workspace = c.workspace() == null || c.workspace().isBlank()
                ? configDir.resolve("workspace") : configDir.resolve(c.workspace());
        Path stateDir = c.stateDir() == null || c.stateDir().isBlank() ? configDir : configDir.resolve(c.stateDir());
        Path relayDir = relayDir(c.relayDir(), configDir);
        return new RunnerSettings(
                c.agentId(), nonce,
                c.name() == null ? c.agentId() : c.name(),
                c.agentType() == null ? "openclaw" : c.agentType(),
                c.systemPrompt() == null ? "" : c.systemPrompt(),
                model, provider, tools,
                blankToNull(c.thinkingLevel()) == null ? DEFAULT_THINKING_LEVEL : c.thinkingLevel().trim().toLowerCase(),
                blankToNull(c.bindAddress()) == null ? DEFAULT_BIND_ADDRESS : c.bindAddress(),
                c.httpPort(),
                apiKey(c.apiKey(), provider, env),
                blankToNull(c.baseUrl()),
                workspace.toAbsolutePath().normalize(),
                stateDir.toAbsolutePath().normalize(),
                maxRounds, bashTimeout,
                new Owner(c.ownerPid() == null ? 0 : c.ownerPid(), c.ownerStartMillis(), Boolean.TRUE.equals(c.ownerPipe())),
                dev.agentkernel.runner.bus.BusSettings.resolve(c),
                relayDir,
                httpLimits(c),
                c.userEnv() == null ? List.of() : List.copyOf(c.userEnv()));
    }

    private static dev.agentkernel.runner.http.HttpLimits httpLimits(RunnerConfig c) throws BadConfigException {
        var d = dev.agentkernel.runner.http.HttpLimits.DEFAULT;
        int body = c.maxTurnBodyBytes() == null ? d.maxTurnBodyBytes() : c.maxTurnBodyBytes();
        if (body < 1024 || body > RunnerConfig.MAX_TURN_BODY_BYTES_CEILING) {
            throw new BadConfigException("config max_turn_body_bytes is " + body + ": use 1024.."
                    + RunnerConfig.MAX_TURN_BODY_BYTES_CEILING + " (default " + RunnerConfig.DEFAULT_MAX_TURN_BODY_BYTES + ")");
        }
        int connections = c.httpMaxConnections() == null ? d.maxConnections() : c.httpMaxConnections();
        if (connections < 4 || connections > 10_000) {
            throw new BadConfigException("config http_max_connections is " + connections + ": use 4..10000 (default "
                    + RunnerConfig.DEFAULT_HTTP_MAX_CONNECTIONS + ")");
        }
        int idle = c.httpIdleTimeoutSeconds() == null ? (int) d.idleTimeout().toSeconds() : c.httpIdleTimeoutSeconds();
        int request = c.httpRequestTimeoutSeconds() == null ? (int) d.requestTimeout().toSeconds() : c.httpRequestTimeoutSeconds();
        if (idle < 1 || request < 1) {
            throw new BadConfigException("config http_idle_timeout_seconds and http_request_timeout_seconds must be at least 1 (defaults "
                    + d.idleTimeout().toSeconds() + " and " + d.requestTimeout().toSeconds() + ")");
        }
        return new dev.agentkernel.runner.http.HttpLimits(connections, java.time.Duration.ofSeconds(idle),
                java.time.Duration.ofSeconds(request), body);
    }

    /**
     * The relay sockets are made (http.sock, bus.sock) and dialled (egress.sock) there, so it must exist before the
     * runner starts, and each socket path must fit the 106-byte limit Java puts on Unix socket addresses.
     */
    private static Path relayDir(String configured, Path configDir) throws BadConfigException {
        if (blankToNull(configured) == null) {
            return null;
        }
        Path dir;
        try {
            dir = configDir.resolve(configured.trim()).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new BadConfigException("config relay_dir '" + configured + "' is not a valid path: the kernel must write the "
                    + "directory it shares with the runner (inside the sandbox " + RelaySockets.SANDBOX_DIR + ")");
        }
        if (!Files.isDirectory(dir)) {
            throw new BadConfigException("config relay_dir '" + configured + "' is not an existing directory: the kernel must "
                    + "create and share it before starting the runner (inside the sandbox " + RelaySockets.SANDBOX_DIR
                    + "), or leave relay_dir out to use the host network");
        }
        for (String name : java.util.List.of(RelaySockets.HTTP, RelaySockets.BUS, RelaySockets.EGRESS)) {
            int bytes = dir.resolve(name).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > RelaySockets.MAX_PATH_BYTES) {
                throw new BadConfigException("config relay_dir '" + configured + "' is too long for a Unix socket path ("
                        + dir.resolve(name) + " is " + bytes + " bytes, at most " + RelaySockets.MAX_PATH_BYTES
                        + " allowed): use a shorter directory such as " + RelaySockets.SANDBOX_DIR);
            }
        }
        return dir;
    }

    /** The config's key wins; a runner started by hand may take it from the environment instead. */
    private static String apiKey(String configured, String provider, Map<String, String> env) {
        if (blankToNull(configured) != null) {
            return configured.trim();
        }
        for (String name : List.of("LLM_API_KEY", "openai".equals(provider) ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY")) {
            String v = env.get(name);
            if (blankToNull(v) != null) {
                return v.trim();
            }
        }
        return "";
    }

    private static void checkBaseUrl(String baseUrl) throws BadConfigException {
        if (blankToNull(baseUrl) == null) {
            return;
        }
        try {
            java.net.URI uri = new java.net.URI(baseUrl.trim());
            if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null) {
                return;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new BadConfigException("config base_url '" + baseUrl + "' is not an absolute http(s) URL: use e.g. "
                + "https://api.anthropic.com, or http://127.0.0.1:11434/v1 for an OpenAI-compatible server");
    }

    private static void require(String value, String field) throws BadConfigException {
        if (value == null || value.isBlank()) {
            throw new BadConfigException("config is missing required field " + field + ": the kernel must write it (see protocol.md)");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Never print secrets. */
    @Override
    public String toString() {
        return "RunnerSettings[agent_id=" + agentId + ", name=" + name + ", provider=" + provider + ", model=" + model
                + ", tools=" + tools + ", thinking_level=" + thinkingLevel + ", bind=" + bindAddress + ":" + httpPort
                + ", workspace=" + workspace + ", state_dir=" + stateDir
                + (relayDir == null ? "" : ", relay_dir=" + relayDir) + ", nonce=<redacted>, api_key="
                + (apiKey.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
