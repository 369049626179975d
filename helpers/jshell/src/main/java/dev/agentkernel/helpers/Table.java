package dev.agentkernel.helpers;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A small table of already-formatted cells, rendered as escaped HTML or as aligned plain text. Cells are
 * plain text: {@link #toHtml()} escapes every one, so values from agents can never inject markup.
 */
public record Table(String caption, List<String> headers, List<List<String>> rows) {

    public Table {
        Objects.requireNonNull(headers, "headers");
        headers = List.copyOf(headers);
        List<List<String>> copy = new ArrayList<>();
        for (List<String> row : Objects.requireNonNull(rows, "rows")) {
            if (row.size() != headers.size()) {
                throw new IllegalArgumentException("a row has " + row.size() + " cells but the table has "
                        + headers.size() + " columns: " + headers);
            }
            copy.add(row.stream().map(cell -> cell == null ? "" : cell).toList());
        }
        rows = List.copyOf(copy);
    }

    public String toHtml() {
        StringBuilder html = new StringBuilder("<table class=\"agentkernel\">");
        if (caption != null && !caption.isEmpty()) {
            html.append("<caption>").append(escape(caption)).append("</caption>");
        }
        html.append("<thead><tr>");
        // Notebook CSS right-aligns table headers (and cells); the cells here are left-aligned text, so the
        // headers must be too, or they float over the wrong column's edge.
        for (String header : headers) html.append("<th style=\"text-align:left\">").append(escape(header)).append("</th>");
        html.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            html.append("<tr>");
            // pre-wrap keeps an agent's line breaks readable without trusting its text as markup
            for (String cell : row) {
                html.append("<td style=\"text-align:left;white-space:pre-wrap\">").append(escape(cell)).append("</td>");
            }
            html.append("</tr>");
        }
        return html.append("</tbody></table>").toString();
    }

    /** Columns padded to their widest cell; multi-line cells are flattened to one line. */
    public String toText() {
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        for (List<String> row : rows) all.add(row.stream().map(Table::oneLine).toList());
        int[] widths = new int[headers.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) widths[i] = Math.max(widths[i], row.get(i).length());
        }
        StringBuilder text = new StringBuilder();
        if (caption != null && !caption.isEmpty()) text.append(caption).append('\n');
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                if (i > 0) line.append("  ");
                line.append(row.get(i)).append(" ".repeat(widths[i] - row.get(i).length()));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    /** Escapes the five characters that matter in HTML text and attribute values. */
    public static String escape(String text) {
        if (text == null) return "";
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String oneLine(String cell) {
        return cell.replace("\r", "").replace("\n", " ⏎ ");
    }
}
