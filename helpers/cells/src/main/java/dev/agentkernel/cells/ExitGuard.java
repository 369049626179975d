package dev.agentkernel.cells;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a cell from ending the kernel's JVM. Cells run in the kernel's own JVM (JShell local execution, so
 * helpers and kernel share one class loader), where {@code System.exit} would end the kernel and orphan the
 * session's agents. The SecurityManager that once trapped exit is gone in JDK 21+, and rewriting snippet
 * bytecode needs the ClassFile API (JDK 24+, while this module targets 21), so calls are found in the source:
 * comments and literals are blanked, then {@code System.exit(} and {@code Runtime.getRuntime().exit(}/{@code halt(}
 * are refused before anything runs. Indirect calls (reflection, a library calling exit) are not
 * caught; JupyterMain's shutdown hook still closes the session's agents in that case.
 */
public final class ExitGuard {
    private static final Pattern EXIT = Pattern.compile(
            "\\bSystem\\s*\\.\\s*exit\\s*\\(|\\bRuntime\\s*\\.\\s*getRuntime\\s*\\(\\s*\\)\\s*\\.\\s*(exit|halt)\\s*\\(");

    private ExitGuard() {}

    /** A call that would end the JVM: its text without spaces (e.g. {@code System.exit(}) and offset. */
    public record ExitCall(String call, int offset) {
    }

    /** The first call in {@code code} that would exit the JVM, if any. */
    public static Optional<ExitCall> findExitCall(String code) {
        Matcher m = EXIT.matcher(blankCommentsAndLiterals(code));
        return m.find()
                ? Optional.of(new ExitCall(code.substring(m.start(), m.end()).replaceAll("\\s+", ""), m.start()))
                : Optional.empty();
    }

    /** Replaces comments and string/char literals by spaces, keeping offsets, so their text cannot match. */
    static String blankCommentsAndLiterals(String code) {
        StringBuilder out = new StringBuilder(code);
        int i = 0;
        int n = code.length();
        while (i < n) {
            char c = code.charAt(i);
            if (c == '/' && i + 1 < n && code.charAt(i + 1) == '/') {
                int end = code.indexOf('\n', i);
                i = blank(out, i, end < 0 ? n : end);
            } else if (c == '/' && i + 1 < n && code.charAt(i + 1) == '*') {
                int end = code.indexOf("*/", i + 2);
                i = blank(out, i, end < 0 ? n : end + 2);
            } else if (c == '"' && code.startsWith("\"\"\"", i)) {
                int end = code.indexOf("\"\"\"", i + 3);
                i = blank(out, i, end < 0 ? n : end + 3);
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && code.charAt(j) != c && code.charAt(j) != '\n') {
                    j += code.charAt(j) == '\\' ? 2 : 1;
                }
                i = blank(out, i, Math.min(n, j + 1));
            } else {
                i++;
            }
        }
        return out.toString();
    }

    private static int blank(StringBuilder out, int from, int to) {
        for (int k = from; k < to; k++) {
            if (out.charAt(k) != '\n') out.setCharAt(k, ' ');
        }
        return to;
    }
}
