package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.LocalAgents;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Every agent recorded in the state directory by any kernel, with what is true of it now. No secrets. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"List the local agents recorded in the state directory: whether their process and the",
                "kernel that started them are alive, detached, port. 'stale' means the owner kernel is gone",
                "('agentkernel cleanup' stops those)."})
final class StatusCommand implements Callable<Integer> {

    @ParentCommand Main main;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "State directory (default $AGENTKERNEL_HOME or ~/.agentkernel).")
    Path stateDir;

    @Option(names = "--json", description = "One JSON array instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        LocalAgents dir = LocalAgents.in(main.stateDir(stateDir));
        List<LocalAgents.Recorded> entries = dir.list();
        PrintStream out = main.out();
        if (json) {
            out.println(Protocol.json().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(entries)));
            return 0;
        }
        if (entries.isEmpty()) {
            out.println("No agents recorded in " + dir.path() + ".");
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "NAME", "TEAM", "STATE", "PID", "PORT", "PROCESS", "OWNER", "DETACHED", "NOTE"});
        for (LocalAgents.Recorded r : entries) {
            rows.add(new String[] {
                    r.id(), r.name(), r.teamId().isEmpty() ? "-" : r.teamId(), String.valueOf(r.state()),
                    String.valueOf(r.pid()), String.valueOf(r.port()),
                    r.processAlive() ? "alive" : "dead",
                    (r.ownerAlive() ? "alive" : "gone") + " (pid " + r.ownerPid() + ")",
                    r.detached() ? "yes" : "no",
                    r.stale() ? "stale" : ""});
        }
        out.print(Columns.render(rows));
        out.println(entries.size() + " agent(s) in " + dir.path() + ".");
        return 0;
    }

    private static ArrayNode toJson(List<LocalAgents.Recorded> entries) {
        ArrayNode array = Protocol.json().createArrayNode();
        for (LocalAgents.Recorded r : entries) {
            array.addObject()
                    .put("id", r.id())
                    .put("name", r.name())
                    .put("team_id", r.teamId())
                    .put("agent_type", r.agentType())
                    .put("state", String.valueOf(r.state()))
                    .put("pid", r.pid())
                    .put("port", r.port())
                    .put("process_alive", r.processAlive())
                    .put("owner_pid", r.ownerPid())
                    .put("owner_alive", r.ownerAlive())
                    .put("detached", r.detached())
                    .put("stale", r.stale())
                    .put("created", r.created())
                    .put("dir", r.dir().toString());
        }
        return array;
    }
}
