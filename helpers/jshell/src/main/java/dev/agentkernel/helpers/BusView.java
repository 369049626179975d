package dev.agentkernel.helpers;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentKernelException;
import dev.agentkernel.bus.AgentBusClient;
import dev.agentkernel.bus.BusEntry;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The AgentBus in a notebook or JShell: the log as a table, a live view of a turn, and votes from the cell. */
public final class BusView {
    private BusView() {}

    /** The whole log of the agent's bus, oldest first. */
    public static List<BusEntry> busEntries(AgentKernel kernel, String agentId) {
        return bus(kernel, agentId).entries(0);
    }

    /**
     * Shows the bus live while the agent's next turn runs (start the turn with {@code askAsync} first): one table,
     * updated in place as entries arrive. Returns the entries it saw when the turn's last model answer arrives,
     * or when the cell is interrupted. A pending intention can be decided from another cell with
     * {@code approve(kernel, id, "int-3")} or {@code reject(...)}.
     */
    public static List<BusEntry> watchBus(AgentKernel kernel, String agentId) {
        AgentBusClient bus = bus(kernel, agentId);
        long from = bus.entries(0).size();
        return watch(bus, from, Display.current());
    }

    /** Same, from position {@code from} (0 shows the whole log first). */
    public static List<BusEntry> watchBus(AgentKernel kernel, String agentId, long from) {
        return watch(bus(kernel, agentId), from, Display.current());
    }

    static List<BusEntry> watch(AgentBusClient bus, long from, Display display) {
        List<BusEntry> seen = new ArrayList<>();
        DisplayHandle handle = display.markdown(markdown(bus.busId(), seen) + "\n\n_waiting for the agent…_");
        try {
            for (BusEntry e : bus.follow(from)) {
                seen.add(e);
                boolean turnDone = e.type().equals(BusEntry.INFERENCE_OUTPUT) && e.payload().path("tool_calls").isEmpty();
                handle.update(markdown(bus.busId(), seen) + (turnDone ? "" : "\n\n_following…_"));
                if (turnDone) break;
            }
        } catch (AgentKernelException e) {
            if (!Thread.currentThread().isInterrupted() && !(e.getCause() instanceof java.io.InterruptedIOException)) throw e;
            handle.update(markdown(bus.busId(), seen) + "\n\n_stopped_");
        }
        return List.copyOf(seen);
    }

    /** Approves a pending intention as an external voter. */
    public static void approve(AgentKernel kernel, String agentId, String intentionId) {
        bus(kernel, agentId).approve(intentionId);
    }

    /** Rejects a pending intention as an external voter; the agent reads {@code reason}. */
    public static void reject(AgentKernel kernel, String agentId, String intentionId, String reason) {
        bus(kernel, agentId).reject(intentionId, reason);
    }

    static Table table(List<BusEntry> entries) {
        List<List<String>> rows = new ArrayList<>();
        for (BusEntry e : entries) {
            rows.add(List.of(Long.toString(e.position()), time(e), e.type(), Rendering.truncate(e.summary(), Rendering.MAX_CELL_CHARS)));
        }
        return new Table("AgentBus (" + entries.size() + " entries)", List.of("#", "time", "type", "what"), rows);
    }

    static String markdown(String busId, List<BusEntry> entries) {
        StringBuilder md = new StringBuilder("**AgentBus `" + busId + "`** (" + entries.size() + " entries)\n\n");
        md.append("| # | time | type | what |\n|---:|---|---|---|\n");
        for (BusEntry e : entries) {
            String what = e.summary().replace("|", "\\|").replace("\n", " ");
            if (e.type().equals(BusEntry.DECISION) && e.payload().path("decision").asText().equals("abort")) what = "**" + what + "**";
            md.append("| ").append(e.position()).append(" | ").append(time(e)).append(" | ").append(e.type())
                    .append(" | ").append(what).append(" |\n");
        }
        return md.toString();
    }

    private static String time(BusEntry e) {
        return e.timestamp().length() >= 23 ? e.timestamp().substring(11, 23) : e.timestamp();
    }

    private static AgentBusClient bus(AgentKernel kernel, String agentId) {
        Objects.requireNonNull(kernel, "kernel is null: create one first, e.g. var kernel = localKernel();");
        Objects.requireNonNull(agentId, "agent id is null: pass agent.agent().id()");
        return kernel.bus(agentId);
    }
}
