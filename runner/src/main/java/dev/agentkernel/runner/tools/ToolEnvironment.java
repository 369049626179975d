package dev.agentkernel.runner.tools;

import dev.agentkernel.protocol.RunnerConfig;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The environment of every process a tool starts: the runner's own, without the runner's secrets, plus the extras
 * the runner sets (the relay network's proxy). A model that runs {@code env} must not read the LLM key or the nonce,
 * on any backend: the kernel forwards keys to the runner's environment (local, sandbox) or a pod gets them with its
 * nonce from a Secret (Kubernetes), and a child process inherits all of it unless it is taken out here.
 * <p>
 * Removed: every name in {@link RunnerConfig#SECRET_ENV}, and any variable whose value contains the nonce or the
 * API key (a secret forwarded under another name); except the variables the user passed in
 * {@code SpawnRequest.env} (config {@code user_env}), which the user meant the agent to have.
 */
public final class ToolEnvironment {
    /** Shorter values are not looked for inside other variables: they would match by chance. */
    private static final int MIN_SECRET_LENGTH = 8;

    private final Map<String, String> variables;

    private ToolEnvironment(Map<String, String> variables) {
        this.variables = Map.copyOf(variables);
    }

    /**
     * @param runnerEnv    the runner's environment
     * @param userEnv      names the user passed in {@code SpawnRequest.env}: kept whatever they are called
     * @param secretValues the runner's secrets (nonce, API key); blank ones are ignored
     * @param extra        set on top, e.g. the relay's proxy variables
     */
    public static ToolEnvironment of(Map<String, String> runnerEnv, Collection<String> userEnv, Collection<String> secretValues,
                                     Map<String, String> extra) {
        Set<String> kept = Set.copyOf(userEnv);
        List<String> secrets = secretValues.stream().filter(v -> v != null && v.strip().length() >= MIN_SECRET_LENGTH)
                .map(String::strip).toList();
        Map<String, String> env = new LinkedHashMap<>();
        runnerEnv.forEach((name, value) -> {
            if (kept.contains(name)) {
                env.put(name, value);
            } else if (!RunnerConfig.SECRET_ENV.contains(name) && secrets.stream().noneMatch(value::contains)) {
                env.put(name, value);
            }
        });
        env.putAll(extra);
        return new ToolEnvironment(env);
    }

    /** This process's environment without the secret names, plus {@code extra}: for tools built without a config. */
    public static ToolEnvironment inherit(Map<String, String> extra) {
        return of(System.getenv(), List.of(), List.of(), extra);
    }

    /** Exactly these variables: what a runner computed and sent to the tools container ({@link ToolServer}). */
    public static ToolEnvironment exactly(Map<String, String> variables) {
        return new ToolEnvironment(variables);
    }

    public Map<String, String> variables() {
        return variables;
    }

    /** Replaces {@code processEnv} (a {@link ProcessBuilder#environment()}) with this environment. */
    public void applyTo(Map<String, String> processEnv) {
        processEnv.clear();
        processEnv.putAll(variables);
    }
}
