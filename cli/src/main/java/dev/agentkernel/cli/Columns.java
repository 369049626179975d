package dev.agentkernel.cli;

import java.util.List;

/** Left-aligned plain-text columns, two spaces apart; the first row is the header. */
final class Columns {
    private Columns() {}

    static String render(List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] row : rows) {
            for (int i = 0; i < cols; i++) width[i] = Math.max(width[i], cell(row, i).length());
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                String c = cell(row, i);
                line.append(c);
                if (i < cols - 1) line.append(" ".repeat(width[i] - c.length() + 2));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static String cell(String[] row, int i) {
        return i < row.length && row[i] != null ? row[i] : "";
    }
}
