package dev.agentkernel.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentkernel.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@link KernelConfig} from YAML. Walks the tree key by key instead of binding, so that an
 * unknown key or a wrong type is reported with the key's name and the expected form.
 */
public final class KernelConfigLoader {

    public static final Set<String> KEYS = Set.of("backend", "namespace", "base_image", "kubeconfig", "registry_url",
            "debug", "state_dir", "spawn_timeout_seconds", "image_pull_secrets", "service_account", "node_selector",
            "tolerations", "resources", "access", "insecure_registry", "registry_username", "registry_password", "sandbox",
            "warm_pool");
    static final Set<String> SANDBOX_KEYS = Set.of("network", "allow", "limits");

    /** Each standby runner holds ~100 MB and a JVM's start in CPU; more than this is a typo, not a pool. */
    public static final int WARM_POOL_MAX = 64;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private KernelConfigLoader() {}

    public static KernelConfig load(Path path) {
        if (path == null) throw new ConfigException("config path is null; pass the path of a YAML file");
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("config file " + path.toAbsolutePath() + " does not exist or is not a file; check the path");
        }
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + path.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        return parse(text, path.toString());
    }

    /** {@code source} names the file in messages. */
    public static KernelConfig parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException("config " + source + " is not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException("config " + source + " cannot be read: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) return KernelConfig.empty();
        if (!root.isObject()) {
            throw new ConfigException("config " + source + " must be a YAML mapping of keys (backend: local, ...), got " + root.getNodeType());
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new ConfigException("config " + source + ": unknown key '" + key + "'; known keys: " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        Reader r = new Reader(root, source);
        Integer timeout = r.integer("spawn_timeout_seconds");
        if (timeout != null && timeout <= 0) {
            throw new ConfigException("config " + source + ": 'spawn_timeout_seconds' must be a positive number of seconds, got " + timeout);
        }
        Integer warmPool = r.integer("warm_pool");
        if (warmPool != null && (warmPool < 0 || warmPool > WARM_POOL_MAX)) {
            throw new ConfigException("config " + source + ": 'warm_pool' must be 0.." + WARM_POOL_MAX + " standby runners, got " + warmPool);
        }
        return new KernelConfig(
                r.string("backend"), r.string("namespace"), r.string("base_image"), r.path("kubeconfig"),
                r.string("registry_url"), Boolean.TRUE.equals(r.bool("debug")), r.path("state_dir"), timeout,
                r.stringList("image_pull_secrets"), r.string("service_account"), r.stringMap("node_selector"),
                r.objectList("tolerations"), r.objectMap("resources"), r.string("access"),
                Boolean.TRUE.equals(r.bool("insecure_registry")), r.string("registry_username"), r.secret("registry_password"),
                sandbox(root.get("sandbox"), source), warmPool);
    }

    private static SandboxSettings sandbox(JsonNode n, String source) {
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) {
            throw new ConfigException("config " + source + ": 'sandbox' must be a mapping like {network: isolated, allow: [\"pypi.org:443\"]}, got "
                    + n.getNodeType().toString().toLowerCase() + " " + n);
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!SANDBOX_KEYS.contains(key)) {
                throw new ConfigException("config " + source + ": unknown key 'sandbox." + key + "'; known keys: network, allow, limits");
            }
        }
        Reader r = new Reader(n, source + " (sandbox)");
        String network = r.string("network");
        JsonNode limits = n.get("limits");
        if (limits != null && !limits.isNull() && !limits.isObject()) {
            throw new ConfigException("config " + source + ": 'sandbox.limits' must be a mapping like {pids: 512, memory: 2Gi, tmp: 256Mi}");
        }
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> limitMap = limits == null || limits.isNull() ? null
                : dev.agentkernel.protocol.Protocol.json().convertValue(limits, java.util.Map.class);
        return new SandboxSettings(network == null ? null : SandboxSettings.Network.parse(network, "config " + source + " sandbox"),
                r.stringList("allow"), dev.agentkernel.config.SandboxLimits.fromMap(limitMap, "config " + source));
    }

    /** Expands a leading {@code ~} as the seed's config does for kubeconfig. */
    public static Path expandHome(String p) {
        if (p.equals("~")) return Path.of(System.getProperty("user.home"));
        if (p.startsWith("~/")) return Path.of(System.getProperty("user.home"), p.substring(2));
        return Path.of(p);
    }

    private record Reader(JsonNode root, String source) {
        private JsonNode node(String key) {
            JsonNode n = root.get(key);
            return n == null || n.isNull() ? null : n;
        }

        private ConfigException wrong(String key, String expected, JsonNode n) {
            return new ConfigException("config " + source + ": '" + key + "' must be " + expected + ", got "
                    + n.getNodeType().toString().toLowerCase() + " " + n);
        }

        String string(String key) {
            JsonNode n = node(key);
            if (n == null) return null;
            if (!n.isTextual()) throw wrong(key, "a string", n);
            return n.asText();
        }

        /** Like {@link #string} but a wrong type never echoes the value: it may be a password. */
        String secret(String key) {
            JsonNode n = node(key);
            if (n == null) return null;
            if (!n.isTextual()) {
                throw new ConfigException("config " + source + ": '" + key + "' must be a string (quote it), got "
                        + n.getNodeType().toString().toLowerCase());
            }
            return n.asText();
        }

        Path path(String key) {
            String s = string(key);
            return s == null ? null : expandHome(s);
        }

        Boolean bool(String key) {
            JsonNode n = node(key);
            if (n == null) return null;
            if (!n.isBoolean()) throw wrong(key, "true or false", n);
            return n.asBoolean();
        }

        Integer integer(String key) {
            JsonNode n = node(key);
            if (n == null) return null;
            if (!n.isIntegralNumber() || !n.canConvertToInt()) throw wrong(key, "a whole number", n);
            return n.asInt();
        }

        List<String> stringList(String key) {
            JsonNode n = node(key);
            if (n == null) return null;
            if (!n.isArray()) throw wrong(key, "a list of strings", n);
            List<String> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isTextual()) throw wrong(key, "a list of strings", n);
                out.add(e.asText());
            }
            return out;
        }

        Map<String, String> stringMap(String key) {
            JsonNode n = node(key);
            if (n == null) return null;
            if (!n.isObject()) throw wrong(key, "a mapping of string to string", n);
            Map<String, String> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode() || e.getValue().isNull()) throw wrong(key + "." + e.getKey(), "a string", e.getValue());
                out.put(e.getKey(), e.getValue().asText());
            }
            return out;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> objectMap(String key) {
            JsonNode n = node(key);
            if (n == null) return null;
            if (!n.isObject()) throw wrong(key, "a mapping", n);
            return YAML.convertValue(n, Map.class);
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> objectList(String key) {
            JsonNode n = node(key);
            if (n == null) return null;
            if (!n.isArray()) throw wrong(key, "a list of mappings", n);
            List<Map<String, Object>> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isObject()) throw wrong(key, "a list of mappings", n);
                out.add(YAML.convertValue(e, Map.class));
            }
            return out;
        }
    }
}
