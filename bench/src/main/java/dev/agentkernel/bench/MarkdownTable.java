package dev.agentkernel.bench;

import java.util.List;

/** Renders rows as a GitHub Markdown table with the columns metric | result | target. */
public final class MarkdownTable {
    private MarkdownTable() {}

    public static String render(List<BenchRow> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| metric | result | target |\n");
        sb.append("|---|---|---|\n");
        for (BenchRow row : rows) {
            sb.append("| ").append(cell(row.metric()))
              .append(" | ").append(cell(row.result()))
              .append(" | ").append(cell(row.target())).append(" |\n");
        }
        return sb.toString();
    }

    // A pipe would end the cell early; a newline would end the row.
    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }
}
