package dev.agentkernel.helpers;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.agentkernel.Agent;
import dev.agentkernel.AgentInfo;
import dev.agentkernel.AgentState;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.Team;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RenderingTest {
    private static final String NONCE = "n0nce-S3CRET-4f1c9a";
    private static final String EVIL = "<script>alert('x')</script> & \"quoted\"";

    private static Agent agent(String name) {
        return new Agent("id-123", name, "team-a", "openclaw", AgentState.RUNNING,
                Map.of("role", "research"), null, Instant.parse("2026-01-02T03:04:05Z"), false);
    }

    @Test
    void escapesEverythingAnAgentControls() {
        String html = Rendering.html(List.of(new HistoryEntry("assistant", EVIL, null))).orElseThrow();
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"), html);

        String agentHtml = Rendering.html(agent(EVIL)).orElseThrow();
        assertFalse(agentHtml.contains("<script>"), agentHtml);
        assertTrue(agentHtml.contains("&lt;script&gt;"), agentHtml);
    }

    /** Notebook CSS right-aligns th and td; left-aligned cells under right-aligned headers read as misaligned. */
    @Test
    void headersAreAlignedLikeTheirCells() {
        String html = Rendering.html(List.of(new HistoryEntry("user", "a long question", null))).orElseThrow();
        var headers = java.util.regex.Pattern.compile("<th(\\s[^>]*)?>").matcher(html).results().map(m -> m.group()).toList();
        var cells = java.util.regex.Pattern.compile("<td(\\s[^>]*)?>").matcher(html).results().map(m -> m.group()).toList();
        assertEquals(3, headers.size(), html);
        assertFalse(cells.isEmpty(), html);
        for (String tag : headers) assertTrue(tag.contains("text-align:left"), tag);
        for (String tag : cells) assertTrue(tag.contains("text-align:left"), tag);
    }

    @Test
    void aSpawnResultNeverShowsItsNonce() {
        SpawnResult result = new SpawnResult(agent("researcher"), NONCE);
        String html = Rendering.html(result).orElseThrow();
        String text = Rendering.text(result).orElseThrow();
        for (String shown : List.of(html, text)) {
            assertFalse(shown.contains(NONCE), shown);
            assertTrue(shown.contains("researcher") && shown.contains("id-123"), shown);
            assertTrue(shown.contains("not shown"), "the table says where the nonce is: " + shown);
        }
    }

    @Test
    void statusTableHasOneRowPerAgentWithLiveness() {
        List<AgentStatus> statuses = List.of(
                new AgentStatus("id-1", "researcher", "", AgentState.RUNNING, true, null, true, false),
                new AgentStatus("id-2", "analyst", "team-a", AgentState.STOPPED, false, "Succeeded", null, false));
        var table = Rendering.table(statuses).orElseThrow();
        assertEquals(List.of("name", "id", "team", "state", "live", "process alive", "pod phase", "detached"),
                table.headers());
        assertEquals(List.of("researcher", "id-1", "", "RUNNING", "yes", "yes", "", "no"), table.rows().get(0));
        assertEquals(List.of("analyst", "id-2", "team-a", "STOPPED", "no", "", "Succeeded", "no"), table.rows().get(1));
        String html = Rendering.html(statuses).orElseThrow();
        assertTrue(html.startsWith("<table") && html.endsWith("</table>"), html);
        assertEquals(3, html.split("<tr>", -1).length - 1, "a header row and two agent rows: " + html);
        String text = Rendering.text(statuses).orElseThrow();
        assertTrue(text.lines().anyMatch(l -> l.startsWith("researcher") && l.contains("RUNNING")), text);
    }

    @Test
    void rendersInfoTeamsAgentsAndSingleValues() {
        AgentInfo info = new AgentInfo("id-9", "worker", 4242, "/tmp/ws", 1000, "2026-01-01T00:00:00Z",
                "claude-sonnet-4-5", "anthropic", List.of("bash"), JsonNodeFactory.instance.objectNode());
        String infoText = Rendering.text(info).orElseThrow();
        assertTrue(infoText.contains("4242") && infoText.contains("/tmp/ws") && infoText.contains("bash"), infoText);

        Team team = new Team("analysis-team", 4, null, 1, 0, List.of("id-1"));
        var teamTable = Rendering.table(team).orElseThrow();
        assertEquals(List.of("analysis-team", "4", "1", "", "0", "id-1"), teamTable.rows().get(0));

        var agentsTable = Rendering.table(List.of(agent("a"), agent("b"))).orElseThrow();
        assertEquals(2, agentsTable.rows().size());
        assertEquals("role=research", agentsTable.rows().get(0).get(5));
    }

    @Test
    void otherValuesAndEmptyOrMixedListsAreNotTables() {
        assertTrue(Rendering.html("just a string").isEmpty());
        assertTrue(Rendering.html(42).isEmpty());
        assertTrue(Rendering.html(null).isEmpty());
        assertTrue(Rendering.html(List.of()).isEmpty());
        assertTrue(Rendering.html(List.of(agent("a"), "not an agent")).isEmpty());
    }

    @Test
    void longHistoryContentIsTruncatedWithACount() {
        String longText = "x".repeat(Rendering.MAX_CELL_CHARS + 500);
        var table = Rendering.table(List.of(new HistoryEntry("tool", longText, null))).orElseThrow();
        String cell = table.rows().get(0).get(2);
        assertTrue(cell.startsWith("x".repeat(100)));
        assertTrue(cell.endsWith("(500 more chars)"), cell);
    }

    @Test
    void tableRejectsRaggedRows() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> new Table("t", List.of("a", "b"), List.of(List.of("only one"))));
        assertTrue(thrown.getMessage().contains("2 columns"), thrown.getMessage());
    }
}
