package dev.agentkernel.bench;

import java.util.ArrayList;
import java.util.List;

/** Turns the one-shot's {@code oneshot-phases: name=epochMillis ...} line into the time between its phases. */
final class OneShotPhases {
    private OneShotPhases() {}

    /**
     * E.g. {@code launch→main 45 ms, main→built 190 ms, ..., closed→exit 3 ms}, with the launch and the exit as the
     * parent saw them (same clock, same machine).
     */
    static String describe(String line, long launchEpochMillis, long exitEpochMillis) {
        String body = line.substring(line.indexOf(':') + 1).strip();
        List<String> names = new ArrayList<>(List.of("launch"));
        List<Long> times = new ArrayList<>(List.of(launchEpochMillis));
        for (String part : body.split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("not a phase: '" + part + "' in " + line);
            names.add(part.substring(0, eq));
            times.add(Long.parseLong(part.substring(eq + 1)));
        }
        names.add("exit");
        times.add(exitEpochMillis);
        List<String> spans = new ArrayList<>();
        for (int i = 1; i < names.size(); i++) {
            spans.add(names.get(i - 1) + "→" + names.get(i) + " " + (times.get(i) - times.get(i - 1)) + " ms");
        }
        return String.join(", ", spans);
    }
}
