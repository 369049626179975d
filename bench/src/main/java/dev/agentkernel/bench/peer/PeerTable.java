package dev.agentkernel.bench.peer;

import java.util.List;

/** Renders peer rows as a GitHub Markdown table: metric | ours | peer | ours/peer | spread | target. */
public final class PeerTable {
    private PeerTable() {}

    public static String render(String peerName, List<PeerRow> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| metric | ours | ").append(peerName).append(" | ours/").append(peerName)
          .append(" | spread p25–p75 (ours; ").append(peerName).append(") | target |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (PeerRow row : rows) {
            sb.append("| ").append(cell(row.metric()))
              .append(" | ").append(row.oursCell())
              .append(" | ").append(row.peerCell())
              .append(" | ").append(row.ratioCell())
              .append(" | ").append(row.spreadCell())
              .append(" | ").append(cell(row.target())).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }
}
