package dev.agentkernel.runner.bus.shell;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the gate knows while it walks a command: the working directory, variables assigned so far, the
 * positional parameters (of a {@code sh -c} script) and the files the command wrote (shared by subshells, so a
 * script written in one part and run in another is seen).
 */
final class ShellState {
    /** Absolute, or null once a {@code cd} went somewhere the gate cannot work out. */
    String cwd;
    final Map<String, List<String>> vars;
    /** null when unknown (a script whose arguments the gate cannot see). */
    List<String> positional;
    final Set<String> written;
    final Map<String, String> env;

    ShellState(String cwd, Map<String, List<String>> vars, List<String> positional, Set<String> written, Map<String, String> env) {
        this.cwd = cwd;
        this.vars = vars;
        this.positional = positional;
        this.written = written;
        this.env = env;
    }

    /** A subshell: its cd and assignments do not leak back; written files are shared. */
    ShellState copy() {
        return new ShellState(cwd, new HashMap<>(vars), positional == null ? null : new ArrayList<>(positional), written, env);
    }

    String home() {
        List<String> h = vars.get("HOME");
        if (h != null && h.size() == 1) return h.getFirst();
        return env.getOrDefault("HOME", "/root");
    }
}
