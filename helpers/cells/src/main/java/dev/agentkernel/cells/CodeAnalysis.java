package dev.agentkernel.cells;

import dev.agentkernel.cells.JShellSession.Completions;
import dev.agentkernel.cells.JShellSession.Status;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a front end asks about code that is not run (jdk.jshell's {@link SourceCodeAnalysis}, made cell-aware):
 * completion, documentation and whether the input is complete. Cell-aware means: inside the right
 * {@code <helpers>} block, on the snippet around the cursor, with magic lines left out.
 */
final class CodeAnalysis {
    private final SourceCodeAnalysis analysis;
    private final HelperDocs helperDocs = new HelperDocs();

    CodeAnalysis(SourceCodeAnalysis analysis) {
        this.analysis = analysis;
    }

    Completions complete(String code, int cursor) {
        Region region = regionAt(code, cursor);
        if (region == null) return new Completions(List.of(), cursor, cursor);
        int[] anchor = new int[1];
        List<String> matches = analysis.completionSuggestions(region.text(), region.cursor(), anchor).stream()
                .sorted((a, b) -> Boolean.compare(b.matchesType(), a.matchesType()))
                .map(SourceCodeAnalysis.Suggestion::continuation)
                .distinct()
                .toList();
        return new Completions(matches, region.offset() + anchor[0], cursor);
    }

    Optional<String> documentation(String code, int cursor) {
        Region region = regionAt(code, cursor);
        if (region == null) return Optional.empty();
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(region.text(), region.cursor(), true);
        if (docs.isEmpty() && !region.text().startsWith("(", region.cursor())) {
            // inspecting "System.out.println" asks about the method: ask as if the call were being written
            String call = region.text().substring(0, region.cursor()) + "(";
            docs = analysis.documentation(call, call.length(), true);
        }
        if (docs.isEmpty()) return Optional.empty();
        return Optional.of(docs.stream()
                .map(d -> {
                    String javadoc = d.javadoc() == null || d.javadoc().isBlank()
                            ? helperDocs.forSignature(d.signature()).orElse(null) : d.javadoc();
                    return javadoc == null ? d.signature() : d.signature() + "\n\n" + javadoc;
                })
                .collect(Collectors.joining("\n\n")));
    }

    Status isComplete(String code) {
        if (CellParser.hasHelpersBlocks(code)) {
            if (CellParser.hasUnclosedBlock(code)) return Status.INCOMPLETE;
            try {
                Status worst = Status.COMPLETE;
                for (CodeBlock block : CellParser.parse(code)) {
                    Status status = javaStatus(block.code());
                    if (status.ordinal() > worst.ordinal()) worst = status;
                }
                return worst;
            } catch (CellSyntaxException e) {
                return Status.INVALID;
            }
        }
        return javaStatus(code);
    }

    private Status javaStatus(String code) {
        String rest = code.lines().map(l -> Magics.isMagicLine(l) ? "" : l).collect(Collectors.joining("\n"));
        while (!rest.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case EMPTY -> { return Status.COMPLETE; }
                case COMPLETE, COMPLETE_WITH_SEMI -> {
                    if (info.remaining().length() >= rest.length()) return Status.COMPLETE;
                    rest = info.remaining();
                }
                case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> { return Status.INCOMPLETE; }
                default -> { return Status.INVALID; }
            }
        }
        return Status.COMPLETE;
    }

    /** The snippet text around {@code cursor} (inside the right {@code <helpers>} block), with its offset. */
    private record Region(String text, int offset, int cursor) {
    }

    private Region regionAt(String code, int cursor) {
        cursor = Math.max(0, Math.min(cursor, code.length()));
        int from = 0;
        int to = code.length();
        if (CellParser.hasHelpersBlocks(code)) {
            int open = code.lastIndexOf(CellParser.OPEN_TAG, cursor);
            int closeBefore = code.lastIndexOf(CellParser.CLOSE_TAG, cursor - CellParser.CLOSE_TAG.length());
            if (open < 0 || closeBefore > open || cursor < open + CellParser.OPEN_TAG.length()) return null;
            from = open + CellParser.OPEN_TAG.length();
            int close = code.indexOf(CellParser.CLOSE_TAG, from);
            to = close < 0 ? code.length() : close;
        }
        int pos = from;
        while (pos < cursor) {
            String rest = code.substring(pos, to);
            CompletionInfo info = analysis.analyzeCompletion(rest);
            if (!info.completeness().isComplete()) break;
            int consumed = rest.length() - info.remaining().length();
            if (consumed <= 0 || pos + consumed >= cursor) break;
            pos += consumed;
        }
        return new Region(code.substring(pos, to), pos, cursor - pos);
    }
}
