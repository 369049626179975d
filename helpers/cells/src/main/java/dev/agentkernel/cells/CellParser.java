package dev.agentkernel.cells;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a cell into the blocks that run. A cell is plain Java, or text with {@code <helpers> … </helpers>}
 * blocks: then only the blocks run, in order, and the prose around them is ignored. This lets an LLM write
 * a cell that mixes explanation and code.
 */
public final class CellParser {
    public static final String OPEN_TAG = "<helpers>";
    public static final String CLOSE_TAG = "</helpers>";
    private static final Pattern TAG = Pattern.compile("</?helpers>");

    private CellParser() {}

    /** Whether the cell uses {@code <helpers>} blocks (otherwise it is plain Java). */
    public static boolean hasHelpersBlocks(String cell) {
        return cell.contains(OPEN_TAG);
    }

    /**
     * The blocks of {@code cell}, in order.
     *
     * @throws CellSyntaxException for an unclosed {@code <helpers>} tag, a nested one, or a stray closing tag
     */
    public static List<CodeBlock> parse(String cell) {
        if (!hasHelpersBlocks(cell)) {
            return cell.isBlank() ? List.of() : List.of(new CodeBlock(cell, 1));
        }
        List<CodeBlock> blocks = new ArrayList<>();
        Matcher m = TAG.matcher(cell);
        int openEnd = -1;
        int openLine = 0;
        while (m.find()) {
            boolean opening = m.group().equals(OPEN_TAG);
            int line = lineOf(cell, m.start());
            if (opening) {
                if (openEnd >= 0) {
                    throw new CellSyntaxException("Nested <helpers> tag on line " + line + ": the block opened on line "
                            + openLine + " is still open. Close it with </helpers> before opening another.");
                }
                openEnd = m.end();
                openLine = line;
            } else {
                if (openEnd < 0) {
                    throw new CellSyntaxException("Stray </helpers> on line " + line
                            + " with no <helpers> before it. Add the opening tag or remove this one.");
                }
                blocks.add(new CodeBlock(cell.substring(openEnd, m.start()), lineOf(cell, openEnd)));
                openEnd = -1;
            }
        }
        if (openEnd >= 0) {
            throw new CellSyntaxException("Unclosed <helpers> tag on line " + openLine
                    + ": add </helpers> after the code of this block.");
        }
        return blocks;
    }

    /** Whether a {@code <helpers>} cell still waits for a closing tag (console front ends keep reading). */
    public static boolean hasUnclosedBlock(String cell) {
        Matcher m = TAG.matcher(cell);
        boolean open = false;
        while (m.find()) {
            open = m.group().equals(OPEN_TAG);
        }
        return open;
    }

    /** 1-based line of character {@code index}. */
    static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < index && i < text.length(); i++) {
            if (text.charAt(i) == '\n') line++;
        }
        return line;
    }
}
