package dev.agentkernel.cells;

import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.UnresolvedReferenceException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns what JShell reports (diagnostics, {@link JShellException}s) into {@link CellError}s that name cell lines,
 * as the user numbers them. Owns the line map: JShell numbers frames and diagnostics per snippet, so each snippet
 * of the cell being run is recorded with the cell line it starts on.
 */
final class CellErrors {
    private final JShell jshell;
    /** Snippet id → the cell line where it starts, for snippets of the cell being evaluated. */
    private final Map<String, Integer> snippetLines = new HashMap<>();

    CellErrors(JShell jshell) {
        this.jshell = jshell;
    }

    /** A new cell: snippets of earlier cells are reported as such, not by this cell's lines. */
    void newCell() {
        snippetLines.clear();
    }

    /** Records that snippet {@code id} starts on cell line {@code line}. */
    void snippetAt(String id, int line) {
        snippetLines.put(id, line);
    }

    static CellError interrupted() {
        return CellError.of("Interrupted", "the cell was interrupted; the session and its variables are kept");
    }

    CellError compileError(Snippet snippet, String source, int firstLine) {
        List<String> lines = new ArrayList<>();
        String first = null;
        for (Diag diag : jshell.diagnostics(snippet).toList()) {
            if (!diag.isError()) continue;
            int pos = (int) Math.max(0, Math.min(diag.getStartPosition(), source.length()));
            int lineInSnippet = CellParser.lineOf(source, pos);
            int lineStart = source.lastIndexOf('\n', pos - 1) + 1;
            int lineEnd = source.indexOf('\n', pos);
            String sourceLine = source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd);
            String where = "line " + (firstLine + lineInSnippet - 1) + ", column " + (pos - lineStart + 1);
            String message = withoutEmptyLocation(diag.getMessage(Locale.ROOT));
            if (first == null) first = where + ": " + message.lines().findFirst().orElse(message);
            lines.add("Compile error at " + where + ": " + message);
            lines.add("    " + sourceLine);
            lines.add("    " + " ".repeat(Math.max(0, pos - lineStart)) + "^");
        }
        if (first == null) {
            first = "line " + firstLine + ": JShell rejected this snippet";
            lines.add("Compile error at " + first);
        }
        return new CellError("CompileError", first, lines);
    }

    /**
     * javac names the class a missing symbol was looked up in; a snippet's class is JShell's synthetic one with
     * an empty name, so the line reads {@code location: class } and says nothing. Such lines are dropped.
     */
    static String withoutEmptyLocation(String message) {
        return message.lines().filter(l -> !l.strip().equals("location: class"))
                .collect(Collectors.joining("\n"));
    }

    CellError runtimeError(JShellException exception) {
        if (exception instanceof UnresolvedReferenceException unresolved) {
            DeclarationSnippet snippet = unresolved.getSnippet();
            String missing = jshell.unresolvedDependencies(snippet).collect(Collectors.joining(", "));
            return CellError.of("UnresolvedReference", "'" + snippet.name() + "' cannot run until "
                    + (missing.isEmpty() ? "its errors are fixed" : "these are defined: " + missing));
        }
        List<String> traceback = new ArrayList<>();
        String name = exceptionName(exception);
        traceback.add(name + ": " + exception.getMessage());
        traceback.addAll(userFrames(exception));
        Set<Throwable> seen = new LinkedHashSet<>();
        for (Throwable cause = exception.getCause(); cause != null && seen.add(cause); cause = cause.getCause()) {
            traceback.add("Caused by: " + exceptionName(cause) + ": " + cause.getMessage());
            traceback.addAll(userFrames(cause));
        }
        String simple = name.substring(name.lastIndexOf('.') + 1);
        return new CellError(simple, String.valueOf(exception.getMessage()), traceback);
    }

    private static String exceptionName(Throwable t) {
        return t instanceof EvalException eval ? eval.getExceptionClassName() : t.getClass().getName();
    }

    /** Frames of snippet code only: JShell marks them with the file name {@code #<snippet id>}. */
    private List<String> userFrames(Throwable t) {
        List<String> frames = new ArrayList<>();
        for (StackTraceElement frame : t.getStackTrace()) {
            String file = frame.getFileName();
            if (file == null || !file.startsWith("#")) continue;
            String id = file.substring(1);
            Integer cellLine = snippetLines.get(id);
            String method = frame.getMethodName().isEmpty() || frame.getMethodName().equals("do_it$")
                    ? "cell" : frame.getMethodName();
            frames.add(cellLine != null
                    ? "    at " + method + " (line " + (cellLine + frame.getLineNumber() - 1) + ")"
                    : "    at " + method + " (snippet #" + id + ", line " + frame.getLineNumber() + ", an earlier cell)");
        }
        return frames;
    }
}
