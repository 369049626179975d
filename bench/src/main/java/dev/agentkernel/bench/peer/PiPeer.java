package dev.agentkernel.bench.peer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The benchmark peer {@code @mariozechner/pi-coding-agent} (/work/shared/peers.md): the Node agent runtime a user would
 * run instead of our runner. Installed with npm into a cache directory on first use, pointed at the scripted LLM
 * server through its {@code models.json} (it ignores {@code ANTHROPIC_BASE_URL}), and started with the flags that
 * keep it from reading anything but its arguments, so both sides do the same work.
 */
public final class PiPeer {
    public static final String NAME = "pi";
    public static final String PACKAGE = "@mariozechner/pi-coding-agent";
    public static final String VERSION = "0.73.1";
    /** Provider and model names in its models.json; the model id is what the scripted server expects. */
    public static final String PROVIDER = "fakellm";
    public static final String MODEL = "claude-sonnet-4-5";
    public static final String SYSTEM_PROMPT = "You are a benchmark agent.";
    /** A fair peer: no context files, skills, extensions or prompt templates to load; one tool, as ours has. */
    public static final List<String> FAIR_FLAGS = List.of("--offline", "--tools", "bash", "--no-context-files",
            "--no-skills", "--no-extensions", "--no-prompt-templates");
    /** Overrides where the peer is installed (default: {@code $XDG_CACHE_HOME/agentkernel/peers} or {@code ~/.cache/...}). */
    public static final String CACHE_ENV = "AGENTKERNEL_PEER_CACHE";

    private final Path cli;
    private final String node;

    PiPeer(Path cli, String node) {
        this.cli = cli;
        this.node = node;
    }

    /** The installed peer's entry point. */
    public Path cli() { return cli; }

    /** Where the peer lives, from the environment: {@value #CACHE_ENV}, else the user's cache directory. */
    public static Path cacheDir(Map<String, String> env) {
        String explicit = env.get(CACHE_ENV);
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".cache");
        return base.resolve("agentkernel").resolve("peers");
    }

    /** The install directory of this version under {@code cacheDir}. */
    static Path installDir(Path cacheDir) {
        return cacheDir.resolve("pi-coding-agent-" + VERSION);
    }

    static Path cliIn(Path installDir) {
        return installDir.resolve("node_modules").resolve("@mariozechner").resolve("pi-coding-agent").resolve("dist").resolve("cli.js");
    }

    /** The peer if it is installed in {@code cacheDir}; nothing is downloaded. */
    public static java.util.Optional<PiPeer> installed(Path cacheDir) {
        Path cli = cliIn(installDir(cacheDir));
        return Files.isRegularFile(cli) ? java.util.Optional.of(new PiPeer(cli, "node")) : java.util.Optional.empty();
    }

    /**
     * The installed peer, installing it with {@code npm install} first if needed (into a temporary directory, then
     * renamed, so an interrupted install is never taken for a finished one).
     *
     * @throws PeerUnavailableException when node or npm is missing or the npm registry cannot be reached
     */
    public static PiPeer install(Path cacheDir, Consumer<String> progress) {
        java.util.Optional<PiPeer> ready = installed(cacheDir);
        if (ready.isPresent()) return ready.get();
        requireTool("node", "--version");
        requireTool("npm", "--version");
        Path target = installDir(cacheDir);
        Path tmp = cacheDir.resolve(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        progress.accept("installing " + PACKAGE + "@" + VERSION + " with npm into " + target + " (first use, ~200 MB) ...");
        try {
            Files.createDirectories(tmp);
            Path log = tmp.resolve("npm-install.log");
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--prefix", tmp.toString(),
                    PACKAGE + "@" + VERSION)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!npm.waitFor(10, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new PeerUnavailableException("npm install " + PACKAGE + "@" + VERSION + " did not finish within 10 minutes");
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (npm.exitValue() != 0 || !Files.isRegularFile(cliIn(tmp))) {
                throw new PeerUnavailableException(installFailure(npm.exitValue(), output));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                // another benchmark installed it meanwhile: use that one
            }
        } catch (IOException e) {
            throw new PeerUnavailableException("cannot install " + PACKAGE + " into " + target + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerUnavailableException("interrupted while installing " + PACKAGE);
        } finally {
            deleteTree(tmp);
        }
        return installed(cacheDir).orElseThrow(() -> new PeerUnavailableException(
                "npm reported success but " + cliIn(target) + " does not exist"));
    }

    /** What an npm failure means, in one sentence a user can act on. */
    static String installFailure(int exitCode, String npmOutput) {
        String lower = npmOutput.toLowerCase(Locale.ROOT);
        String tail = String.join(" | ", npmOutput.strip().lines().filter(l -> !l.isBlank())
                .skip(Math.max(0, npmOutput.strip().lines().count() - 3)).toList());
        if (lower.contains("enotfound") || lower.contains("eai_again") || lower.contains("econnrefused")
                || lower.contains("etimedout") || lower.contains("econnreset") || lower.contains("network")) {
            return "the npm registry is unreachable, so the peer " + PACKAGE + "@" + VERSION + " cannot be installed"
                    + " (npm exit " + exitCode + ": " + tail + "); run without --peer, or install it by hand with"
                    + " npm install --prefix <" + CACHE_ENV + ">/pi-coding-agent-" + VERSION + " " + PACKAGE + "@" + VERSION;
        }
        return "npm install " + PACKAGE + "@" + VERSION + " failed (exit " + exitCode + "): " + tail;
    }

    private static void requireTool(String tool, String versionFlag) {
        try {
            Process p = new ProcessBuilder(tool, versionFlag).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) return;
            p.destroyForcibly();
        } catch (IOException e) {
            // not on PATH: reported below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new PeerUnavailableException("the peer " + PACKAGE + " needs '" + tool + "' on PATH (Node 20+); install Node.js or run without --peer");
    }

    /** Its {@code models.json}: one provider pointing at {@code baseUrl} with the Anthropic Messages API. */
    public static String modelsJson(String baseUrl) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode model = f.objectNode();
        model.put("id", MODEL);
        model.put("reasoning", false);
        model.putArray("input").add("text");
        model.put("contextWindow", 200000);
        model.put("maxTokens", 8192);
        ObjectNode provider = f.objectNode();
        provider.put("baseUrl", baseUrl);
        provider.put("api", "anthropic-messages");
        provider.put("apiKey", "any");
        ArrayNode models = provider.putArray("models");
        models.add(model);
        ObjectNode root = f.objectNode();
        root.putObject("providers").set(PROVIDER, provider);
        try {
            return Protocol.json().writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A private HOME for one peer process: {@code <home>/agent/models.json} and {@code <home>/sessions}. */
    public record Home(Path dir) {
        public Path agentDir() { return dir.resolve("agent"); }
        public Path sessions() { return dir.resolve("sessions"); }
    }

    /** Creates a fresh home under {@code parent} with the provider config for {@code baseUrl}. */
    public static Home writeHome(Path parent, String baseUrl) {
        try {
            Files.createDirectories(parent);
            Home home = new Home(Files.createTempDirectory(parent, "pi-home-"));
            Files.createDirectories(home.agentDir());
            Files.createDirectories(home.sessions());
            Files.writeString(home.agentDir().resolve("models.json"), modelsJson(baseUrl), StandardCharsets.UTF_8);
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the peer's config under " + parent, e);
        }
    }

    /** The command for RPC mode (a long-lived agent driven over stdin/stdout). */
    public List<String> rpcCommand(Home home) {
        return command(home, List.of("--mode", "rpc"));
    }

    /** The command for a one-shot: answers {@code prompt}, prints the answer and exits. */
    public List<String> oneShotCommand(Home home, String prompt) {
        return command(home, List.of("-p", prompt));
    }

    private List<String> command(Home home, List<String> mode) {
        List<String> cmd = new ArrayList<>(List.of(node, cli.toString()));
        cmd.addAll(mode);
        cmd.addAll(List.of("--provider", PROVIDER, "--model", MODEL, "--session-dir", home.sessions().toString(),
                "--system-prompt", SYSTEM_PROMPT));
        cmd.addAll(FAIR_FLAGS);
        return cmd;
    }

    /** The environment: its own HOME and config directory, offline, no telemetry. */
    public static Map<String, String> environment(Home home, Map<String, String> base) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String key : List.of("PATH", "LANG", "TERM")) {
            if (base.get(key) != null) env.put(key, base.get(key));
        }
        env.put("HOME", home.dir().toString());
        env.put("PI_CODING_AGENT_DIR", home.agentDir().toString());
        env.put("PI_OFFLINE", "1");
        env.put("PI_TELEMETRY", "0");
        return env;
    }

    /** A process builder for {@code command} in {@code home} with the peer's environment. */
    public static ProcessBuilder processBuilder(List<String> command, Home home) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.dir().toFile());
        Map<String, String> env = pb.environment();
        Map<String, String> wanted = environment(home, System.getenv());
        env.clear();
        env.putAll(wanted);
        return pb;
    }

    public static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
