package dev.agentkernel.team;

import dev.agentkernel.InvalidRequestException;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of cpu and memory. cpu is kept in millicores so that adding and removing many
 * agents never drifts the way summed doubles would.
 */
public record Resources(long milliCpu, long memoryBytes) {

    public static final Resources ZERO = new Resources(0, 0);
    /** What an agent takes from its team when its request names no cpu. */
    public static final Resources AGENT_DEFAULT = new Resources(1000, 0);

    private static final Set<String> KEYS = Set.of("cpu", "memory");
    /**
     * {@code SpawnRequest.resources} key of the agent's workspace size ("1Gi"): a quota in the sandbox and kubernetes
     * backends, not something the team counts.
     */
    public static final String WORKSPACE_KEY = "workspace";
    private static final Pattern QUANTITY = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)([a-zA-Z]*)$");

    public Resources {
        if (milliCpu < 0 || memoryBytes < 0) {
            throw new InvalidRequestException("resources cannot be negative (cpu " + milliCpu + "m, memory " + memoryBytes + " bytes)");
        }
    }

    public double cpu() { return milliCpu / 1000.0; }

    public Resources plus(Resources o) { return new Resources(milliCpu + o.milliCpu, memoryBytes + o.memoryBytes); }

    public Resources minus(Resources o) {
        return new Resources(Math.max(0, milliCpu - o.milliCpu), Math.max(0, memoryBytes - o.memoryBytes));
    }

    /** What one agent asks of its team: cpu defaults to 1 core, memory to 0. */
    public static Resources forAgent(Map<String, Object> resources) {
        checkKeys(resources, "SpawnRequest.resources");
        Object cpu = resources.get("cpu");
        Object memory = resources.get("memory");
        return new Resources(cpu == null ? AGENT_DEFAULT.milliCpu : parseMilliCpu(cpu, "SpawnRequest.resources.cpu"),
                memory == null ? 0 : parseMemoryBytes(memory, "SpawnRequest.resources.memory"));
    }

    /**
     * Takes {@link #WORKSPACE_KEY} out of {@code asked} (which {@link #forAgent} then reads): its size in bytes, 0 for
     * "no quota", or -1 when the request does not name one.
     */
    public static long takeWorkspaceBytes(Map<String, Object> asked) {
        Object ws = asked.remove(WORKSPACE_KEY);
        return ws == null ? -1 : parseMemoryBytes(ws, "SpawnRequest.resources." + WORKSPACE_KEY);
    }

    static void checkKeys(Map<String, Object> resources, String where) {
        for (String key : resources.keySet()) {
            if (!KEYS.contains(key)) {
                throw new InvalidRequestException(where + " has unknown key '" + key + "'; use 'cpu' (e.g. 2 or \"500m\") and 'memory' (e.g. \"512Mi\")");
            }
        }
    }

    /** cpu as a number of cores (2, 0.5) or a Kubernetes quantity ("500m", "1.5"). */
    public static long parseMilliCpu(Object value, String where) {
        BigDecimal cores;
        if (value instanceof Number n) {
            cores = toDecimal(n, where, "cpu");
        } else if (value instanceof String s && !s.isBlank()) {
            Matcher m = QUANTITY.matcher(s.trim());
            if (!m.matches() || !(m.group(2).isEmpty() || m.group(2).equals("m"))) {
                throw new InvalidRequestException(where + " = \"" + s + "\" is not a cpu amount; write a number of cores (2, 0.5) or millicores (\"500m\")");
            }
            cores = new BigDecimal(m.group(1));
            if (m.group(2).equals("m")) cores = cores.movePointLeft(3);
        } else {
            throw new InvalidRequestException(where + " must be a number of cores (2, 0.5) or millicores (\"500m\"), got " + describe(value));
        }
        long milli = cores.movePointRight(3).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
        if (milli <= 0) throw new InvalidRequestException(where + " must be more than 0 cores, got " + value);
        return milli;
    }

    /** memory in bytes (a whole number) or a quantity: 512Mi, 2Gi, 1G, 500k, 1024. */
    public static long parseMemoryBytes(Object value, String where) {
        BigDecimal bytes;
        if (value instanceof Number n) {
            bytes = toDecimal(n, where, "memory");
        } else if (value instanceof String s && !s.isBlank()) {
            Matcher m = QUANTITY.matcher(s.trim());
            Long unit = m.matches() ? unit(m.group(2)) : null;
            if (unit == null) {
                throw new InvalidRequestException(where + " = \"" + s + "\" is not a memory amount; write bytes (1048576) or a quantity such as \"512Mi\", \"2Gi\", \"1G\"");
            }
            bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        } else {
            throw new InvalidRequestException(where + " must be bytes or a quantity such as \"512Mi\" or \"2Gi\", got " + describe(value));
        }
        return bytes.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    private static Long unit(String suffix) {
        return switch (suffix) {
            case "" -> 1L;
            case "k", "K" -> 1000L;
            case "M" -> 1000L * 1000;
            case "G" -> 1000L * 1000 * 1000;
            case "T" -> 1000L * 1000 * 1000 * 1000;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            default -> null;
        };
    }

    private static BigDecimal toDecimal(Number n, String where, String what) {
        double d = n.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d) || d < 0) {
            throw new InvalidRequestException(where + " must be a non-negative " + what + " amount, got " + n);
        }
        return new BigDecimal(n.toString());
    }

    private static String describe(Object value) {
        return value == null ? "nothing" : value.getClass().getSimpleName() + " " + value;
    }

    /** Human form for messages: "2 cpu, 512Mi memory". */
    public String describe() {
        String cpu = BigDecimal.valueOf(milliCpu).movePointLeft(3).stripTrailingZeros().toPlainString() + " cpu";
        return memoryBytes == 0 ? cpu : cpu + ", " + formatBytes(memoryBytes) + " memory";
    }

    public static String formatBytes(long bytes) {
        String[] units = {"Ti", "Gi", "Mi", "Ki"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long u = 1L << shifts[i];
            if (bytes >= u && bytes % u == 0) return (bytes / u) + units[i];
        }
        return bytes + " bytes";
    }

    @Override
    public String toString() { return describe().toLowerCase(Locale.ROOT); }
}
