package dev.agentkernel.jupyter;

import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager;

import io.github.spencerpark.jupyter.messages.request.HistoryRequest;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * The cells run in this kernel process, for {@code history_request} (tail, range and glob search). Kept in
 * memory only: a restarted kernel is a new session, as in IPython.
 */
public final class HistoryLog implements HistoryManager {
    /** This process's session number; requests for session 0 or a negative number mean "the current one". */
    static final int SESSION = 1;

    private record Cell(int number, String input, String output) {
    }

    private final List<Cell> cells = new CopyOnWriteArrayList<>();

    public void add(int executionCount, String input, String output) {
        cells.add(new Cell(executionCount, input, output == null ? "" : output));
    }

    /** Answers a {@code history_request} of any access type. */
    public List<HistoryEntry> answer(HistoryRequest request) {
        Set<ResultFlag> flags = EnumSet.noneOf(ResultFlag.class);
        if (request.includeOutput()) flags.add(ResultFlag.INCLUDE_OUTPUT);
        return switch (request) {
            case HistoryRequest.Tail tail -> lookupTail(tail.getMaxReturnLength(), flags);
            case HistoryRequest.Range range -> lookupRange(range.getSessionIndex(), range.getStart(), range.getStop(), flags);
            case HistoryRequest.Search search -> {
                if (search.filterUnique()) flags.add(ResultFlag.UNIQUE);
                yield search(search.getPattern(), search.getMaxReturnLength(), flags);
            }
            default -> List.of();
        };
    }

    @Override
    public List<HistoryEntry> lookupTail(int length, Set<ResultFlag> flags) {
        List<Cell> all = List.copyOf(cells);
        return entries(all.subList(Math.max(0, all.size() - Math.max(0, length)), all.size()), flags);
    }

    @Override
    public List<HistoryEntry> lookupRange(int session, int start, int stop, Set<ResultFlag> flags) {
        if (session > 0 && session != SESSION) return List.of();
        return entries(cells.stream()
                .filter(c -> c.number() >= start && (stop <= 0 || c.number() < stop))
                .toList(), flags);
    }

    @Override
    public List<HistoryEntry> search(String glob, int length, Set<ResultFlag> flags) {
        Pattern pattern = globToRegex(glob == null || glob.isEmpty() ? "*" : glob);
        List<Cell> matching = cells.stream().filter(c -> pattern.matcher(c.input()).matches()).toList();
        if (flags.contains(ResultFlag.UNIQUE)) {
            Map<String, Cell> latest = new LinkedHashMap<>();
            for (Cell c : matching) {
                latest.remove(c.input());
                latest.put(c.input(), c);
            }
            matching = new ArrayList<>(latest.values());
        }
        int n = length <= 0 ? matching.size() : Math.min(length, matching.size());
        return entries(matching.subList(matching.size() - n, matching.size()), flags);
    }

    private static List<HistoryEntry> entries(List<Cell> cells, Set<ResultFlag> flags) {
        boolean withOutput = flags.contains(ResultFlag.INCLUDE_OUTPUT);
        return cells.stream()
                .map(c -> withOutput
                        ? new HistoryEntry(SESSION, c.number(), c.input(), c.output())
                        : new HistoryEntry(SESSION, c.number(), c.input()))
                .toList();
    }

    /** IPython's history search pattern: {@code *} any text, {@code ?} one character. */
    static Pattern globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
