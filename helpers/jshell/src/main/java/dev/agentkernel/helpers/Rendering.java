package dev.agentkernel.helpers;

import dev.agentkernel.Agent;
import dev.agentkernel.AgentInfo;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.Team;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Tables for the kernel's value types, used by notebook cells to show a value richly and by helpers such
 * as {@code statusTable}. A {@link SpawnResult}'s nonce is never rendered: outputs of notebooks get saved
 * and shared, and the nonce is the only thing guarding the agent.
 */
public final class Rendering {
    /** History content is cut here so a long tool output does not flood a cell. */
    static final int MAX_CELL_CHARS = 2000;

    private Rendering() {}

    /** An HTML table for the kernel's value types (and lists of them); empty for other values. */
    public static Optional<String> html(Object value) {
        return table(value).map(Table::toHtml);
    }

    /**
     * How {@code value} is shown by {@code display(value)} and as a cell's result: a {@link Renderable}'s own
     * bundle; a {@link java.awt.image.BufferedImage} as {@code image/png}; the kernel's value types as an HTML
     * table with the aligned text; anything else as its {@code toString}.
     */
    public static MimeBundle mimeBundle(Object value) {
        if (value instanceof Renderable renderable) return renderable.mimeBundle();
        if (value instanceof java.awt.image.BufferedImage image) return PngImage.of(image).mimeBundle();
        if (value instanceof byte[] bytes && PngImage.isPng(bytes)) return PngImage.of(bytes).mimeBundle();
        Optional<Table> table = table(value);
        if (table.isPresent()) return MimeBundle.of(table.get().toText(), MimeBundle.HTML, table.get().toHtml());
        return MimeBundle.text(String.valueOf(value));
    }

    /**
     * The bundle for a cell's result beyond JShell's own text, or empty when there is nothing richer than
     * {@code toString} to show (the kernel then keeps JShell's rendering, e.g. {@code "hi"} with quotes).
     */
    public static Optional<MimeBundle> richBundle(Object value) {
        if (value instanceof Renderable || value instanceof java.awt.image.BufferedImage || table(value).isPresent()) {
            return Optional.of(mimeBundle(value));
        }
        return Optional.empty();
    }

    /** The same table as aligned plain text; empty for other values. */
    public static Optional<String> text(Object value) {
        return table(value).map(Table::toText);
    }

    /**
     * The table for {@code value}: an {@link AgentStatus}, {@link HistoryEntry}, {@link Agent},
     * {@link AgentInfo}, {@link SpawnResult} or {@link Team}, or a non-empty list of one of them.
     * Empty lists and other values give empty, since their element type cannot be told.
     */
    public static Optional<Table> table(Object value) {
        if (value instanceof List<?> list) return listTable(list);
        if (value instanceof AgentStatus status) return Optional.of(statusTable(List.of(status)));
        if (value instanceof HistoryEntry entry) return Optional.of(historyTable(List.of(entry)));
        if (value instanceof Agent agent) return Optional.of(agentTable(agent, "Agent"));
        if (value instanceof SpawnResult result) return Optional.of(spawnResultTable(result));
        if (value instanceof AgentInfo info) return Optional.of(infoTable(info));
        if (value instanceof Team team) return Optional.of(teamTable(List.of(team)));
        return Optional.empty();
    }

    private static Optional<Table> listTable(List<?> list) {
        if (list.isEmpty()) return Optional.empty();
        if (allOf(list, AgentStatus.class)) return Optional.of(statusTable(cast(list)));
        if (allOf(list, HistoryEntry.class)) return Optional.of(historyTable(cast(list)));
        if (allOf(list, Agent.class)) return Optional.of(agentsTable(cast(list)));
        if (allOf(list, Team.class)) return Optional.of(teamTable(cast(list)));
        if (allOf(list, dev.agentkernel.bus.BusEntry.class)) return Optional.of(BusView.table(cast(list)));
        return Optional.empty();
    }

    static Table statusTable(List<AgentStatus> statuses) {
        List<List<String>> rows = new ArrayList<>();
        for (AgentStatus s : statuses) {
            rows.add(List.of(str(s.name()), str(s.agentId()), str(s.teamId()), str(s.state()),
                    yesNo(s.live()), s.processAlive() == null ? "" : yesNo(s.processAlive()),
                    str(s.podPhase()), yesNo(s.detached())));
        }
        return new Table("Agents (" + statuses.size() + ")",
                List.of("name", "id", "team", "state", "live", "process alive", "pod phase", "detached"), rows);
    }

    static Table historyTable(List<HistoryEntry> entries) {
        List<List<String>> rows = new ArrayList<>();
        int n = 1;
        for (HistoryEntry e : entries) {
            rows.add(List.of(Integer.toString(n++), str(e.role()), truncate(str(e.content()), MAX_CELL_CHARS)));
        }
        return new Table("History (" + entries.size() + " messages)", List.of("#", "role", "content"), rows);
    }

    static Table agentsTable(List<Agent> agents) {
        List<List<String>> rows = new ArrayList<>();
        for (Agent a : agents) {
            rows.add(List.of(str(a.name()), str(a.id()), str(a.teamId()), str(a.agentType()), str(a.state()),
                    metadata(a.metadata()), yesNo(a.detached())));
        }
        return new Table("Agents (" + agents.size() + ")",
                List.of("name", "id", "team", "type", "state", "metadata", "detached"), rows);
    }

    static Table agentTable(Agent a, String caption) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("id", str(a.id()));
        fields.put("name", str(a.name()));
        fields.put("team", str(a.teamId()));
        fields.put("type", str(a.agentType()));
        fields.put("state", str(a.state()));
        fields.put("metadata", metadata(a.metadata()));
        fields.put("image", str(a.imageId()));
        fields.put("created", str(a.createdAt()));
        fields.put("detached", yesNo(a.detached()));
        return keyValue(caption, fields);
    }

    static Table spawnResultTable(SpawnResult result) {
        Table agent = result.agent() == null
                ? new Table(null, List.of("field", "value"), List.of())
                : agentTable(result.agent(), null);
        List<List<String>> rows = new ArrayList<>(agent.rows());
        // The nonce is deliberately absent; this row tells the reader where it is instead.
        rows.add(List.of("nonce", "(secret, not shown: use result.nonce())"));
        return new Table("Spawned agent", agent.headers(), rows);
    }

    static Table infoTable(AgentInfo info) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("agent id", str(info.agentId()));
        fields.put("name", str(info.name()));
        fields.put("pid", Long.toString(info.pid()));
        fields.put("cwd", str(info.cwd()));
        fields.put("uid", Long.toString(info.uid()));
        fields.put("started", str(info.startedAt()));
        fields.put("model", str(info.model()));
        fields.put("provider", str(info.provider()));
        fields.put("tools", info.tools() == null ? "" : String.join(", ", info.tools()));
        return keyValue("Agent info", fields);
    }

    static Table teamTable(List<Team> teams) {
        List<List<String>> rows = new ArrayList<>();
        for (Team t : teams) {
            rows.add(List.of(str(t.id()), number(t.cpu()), number(t.cpuInUse()),
                    t.memoryBytes() == null ? "" : Long.toString(t.memoryBytes()),
                    Long.toString(t.memoryInUse()), String.join(", ", t.agentIds())));
        }
        return new Table("Teams (" + teams.size() + ")",
                List.of("team", "cpu", "cpu in use", "memory (bytes)", "memory in use", "agents"), rows);
    }

    private static Table keyValue(String caption, Map<String, String> fields) {
        List<List<String>> rows = new ArrayList<>();
        fields.forEach((k, v) -> rows.add(List.of(k, v)));
        return new Table(caption, List.of("field", "value"), rows);
    }

    private static String metadata(Map<String, String> metadata) {
        if (metadata == null || metadata.isEmpty()) return "";
        return new TreeMap<>(metadata).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    private static boolean allOf(List<?> list, Class<?> type) {
        return list.stream().allMatch(type::isInstance);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> cast(List<?> list) {
        return (List<T>) list;
    }

    private static String str(Object value) {
        return value == null ? "" : value.toString();
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    static String truncate(String text, int max) {
        if (text.length() <= max) return text;
        return text.substring(0, max) + "… (" + (text.length() - max) + " more chars)";
    }
}
