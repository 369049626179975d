package dev.agentkernel.helpers;

import dev.agentkernel.AgentBusyException;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.Team;
import dev.agentkernel.TeamCapacityException;
import dev.agentkernel.TurnFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static dev.agentkernel.helpers.Helpers.*;
import static org.junit.jupiter.api.Assertions.*;

/** ask/stream/askAsync and the table helpers against real runner processes and the scripted LLM. */
class AskTest {
    private static RealAgents real;
    private static SpawnResult first;
    private static SpawnResult second;

    @BeforeAll
    static void spawnAgents() throws Exception {
        real = RealAgents.start();
        first = spawn(real.kernel, "first", openclaw("You are a test agent."));
        second = spawn(real.kernel, "second", openclaw("You are another test agent."));
    }

    @AfterAll
    static void stop() throws Exception {
        if (real != null) real.close();
    }

    @AfterEach
    void restoreConsole() {
        Display.install(null);
    }

    @Test
    void askStreamsTextAndToolBlocksIntoARichDisplayInOrder() {
        RecordingDisplay display = new RecordingDisplay(true);
        Display.install(display);
        String text = ask(real.kernel, first, "[[bash: echo hello-from-tool]]");

        assertTrue(text.contains("Tool result: hello-from-tool"), text);
        List<String> events = display.events();
        int firstBlock = indexOf(events, e -> e.startsWith("markdown0:"));
        int toolUse = indexOf(events, e -> e.equals("print:▶ bash: echo hello-from-tool\n"));
        int toolResult = indexOf(events, e -> e.startsWith("print:  │ hello-from-tool"));
        int answerBlock = indexOf(events, e -> e.startsWith("markdown1:"));
        assertTrue(firstBlock < toolUse && toolUse < toolResult && toolResult < answerBlock, events.toString());
        String lastAnswerUpdate = events.stream().filter(e -> e.startsWith("markdown1:") || e.startsWith("update1:"))
                .reduce((a, b) -> b).orElseThrow();
        assertTrue(lastAnswerUpdate.substring(lastAnswerUpdate.indexOf(':') + 1).startsWith("Tool result: hello-from-tool"),
                "the answer block ends with the whole answer: " + events);
        assertEquals(0, Interrupts.pending(), "the interrupt handler is unregistered after the turn");
    }

    @Test
    void askAtTheConsoleIsSilentAndStreamPrintsLive() {
        RecordingDisplay console = new RecordingDisplay(false);
        Display.install(console);
        assertEquals("Echo: hello there", ask(real.kernel, first, "hello there"));
        assertEquals(List.of(), console.events());

        String streamed = stream(real.kernel, first, "[[reply: **bold** answer]]");
        assertEquals("**bold** answer", streamed);
        assertEquals("**bold** answer\n", console.printed());
    }

    @Test
    void anErrorChunkRaisesTurnFailedExceptionWithTheMessage() {
        TurnFailedException thrown = assertThrows(TurnFailedException.class,
                () -> ask(real.kernel, first, "[[error: 400]]"));
        assertTrue(thrown.getMessage().contains("failed the turn: ") && thrown.getMessage().length() > 40,
                thrown.getMessage());
        assertEquals("Echo: still fine", ask(real.kernel, first, "still fine"), "the agent survives an error");
    }

    @Test
    void anInterruptCancelsARunningAskAtTheAgent() throws Exception {
        RecordingDisplay display = new RecordingDisplay(true);
        Display.install(display);
        CompletableFuture<String> running = CompletableFuture.supplyAsync(
                () -> ask(real.kernel, second, "[[slow: 300]] one two three four five six seven eight nine ten"));
        waitUntil(() -> !display.events().isEmpty(), "the first chunk arrives");
        long start = System.nanoTime();
        Interrupts.interruptAll();
        var thrown = assertThrows(Exception.class, () -> running.get(5, TimeUnit.SECONDS));
        assertInstanceOf(TurnInterruptedException.class, thrown.getCause(), thrown.toString());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "interrupt takes effect at once");
        assertTrue(thrown.getCause().getMessage().contains("interrupted"), thrown.getCause().getMessage());
        assertEquals(0, Interrupts.pending());
        // the agent is free again: the turn was cancelled there, not merely abandoned by the client
        assertEquals("Echo: after", askWhenFree(second, "after"));
    }

    @Test
    void askAsyncRunsTurnsInParallelSilentlyAndAwaitAllKeepsOrder() {
        RecordingDisplay display = new RecordingDisplay(true);
        Display.install(display);
        Pair<String, String> both = awaitAll(askAsync(real.kernel, first, "[[slow: 50]] alpha"),
                askAsync(real.kernel, second.agent().id(), second.nonce(), "beta"));
        assertEquals("Echo: [[slow: 50]] alpha".replace("[[slow: 50]] ", ""), both.first().replace("[[slow: 50]] ", ""));
        assertEquals("Echo: beta", both.second());
        assertEquals(List.of(), display.events(), "background turns print nothing");
    }

    @Test
    void cancellingAnAskAsyncFutureCancelsTheTurn() throws Exception {
        CompletableFuture<String> future = askAsync(real.kernel, second, "[[slow: 300]] a b c d e f g h i j");
        Thread.sleep(400);
        assertTrue(future.cancel(true));
        assertEquals("Echo: next", askWhenFree(second, "next"));
    }

    @Test
    void historyStatusAndInfoHelpersShowTables() {
        ask(real.kernel, first, "remember this");
        List<HistoryEntry> history = history(real.kernel, first);
        assertTrue(history.stream().anyMatch(e -> e.role().equals("user") && e.content().contains("remember this")),
                history.toString());

        RecordingDisplay display = new RecordingDisplay(true);
        Display.install(display);
        printHistory(real.kernel, first.agent().id(), 2);
        statusTable(real.kernel);
        show(info(real.kernel, first));
        show(first);
        String all = String.join("\n", display.events());
        assertTrue(all.contains("html:<table") && all.contains("remember this"), all);

        RecordingDisplay lastTwo = new RecordingDisplay(true);
        Display.install(lastTwo);
        printHistory(real.kernel, first, 2);
        String table = lastTwo.events().stream().filter(e -> e.startsWith("text:")).findFirst().orElseThrow();
        assertTrue(table.startsWith("text:History (2 messages)"), table);
        assertTrue(table.contains("remember this"), table);
        Display.install(display);
        assertTrue(all.contains(">first<") && all.contains(">second<"), "status rows: " + all);
        assertTrue(all.contains(">pid<"), "info table: " + all);
        assertFalse(all.contains(first.nonce()) || all.contains(second.nonce()), "no nonce is ever shown");

        List<AgentStatus> statuses = status(real.kernel);
        assertTrue(statuses.stream().allMatch(AgentStatus::live), statuses.toString());
    }

    @Test
    void teamHelpersReserveCapacityAndDeleteKillsTheMembers() {
        Team team = createTeam(real.kernel, "helpers-team", 1);
        assertEquals("helpers-team", team.id());
        SpawnResult member = spawn(real.kernel, "member", "helpers-team", openclaw("You are in a team."));
        assertEquals("helpers-team", member.agent().teamId());
        TeamCapacityException full = assertThrows(TeamCapacityException.class,
                () -> spawn(real.kernel, "extra", "helpers-team", openclaw("You do not fit.")));
        assertTrue(full.getMessage().contains("helpers-team"), full.getMessage());
        deleteTeam(real.kernel, "helpers-team");
        assertTrue(status(real.kernel).stream().noneMatch(s -> s.agentId().equals(member.agent().id()) && s.live()));
        var noName = assertThrows(IllegalArgumentException.class, () -> spawn(real.kernel, "", openclaw("x")));
        assertTrue(noName.getMessage().contains("researcher"), noName.getMessage());
    }

    @Test
    void badArgumentsAreClearErrors() {
        var noNonce = assertThrows(IllegalArgumentException.class, () -> ask(real.kernel, first.agent().id(), "", "x"));
        assertTrue(noNonce.getMessage().contains("nonce"), noNonce.getMessage());
        var noKernel = assertThrows(NullPointerException.class, () -> ask(null, first, "x"));
        assertTrue(noKernel.getMessage().contains("localKernel()"), noKernel.getMessage());
    }

    /** A cancelled turn may take a moment to release the agent; retry a busy agent for up to 3 s. */
    private static String askWhenFree(SpawnResult agent, String message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (true) {
            try {
                return ask(real.kernel, agent, message);
            } catch (AgentBusyException busy) {
                if (System.nanoTime() > deadline) throw busy;
                Thread.sleep(50);
            }
        }
    }

    private static void waitUntil(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) fail("timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    private static int indexOf(List<String> events, java.util.function.Predicate<String> match) {
        for (int i = 0; i < events.size(); i++) if (match.test(events.get(i))) return i;
        fail("no matching event in " + events);
        return -1;
    }
}
