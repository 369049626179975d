package dev.agentkernel.runner.bus;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.agentkernel.runner.bus.shell.Finding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The gate's corpus (src/test/resources/gate): plain-shell ways to delete or overwrite files outside the
 * workspace, and everyday commands. Each destructive command must be rejected by a rule or deferred to a vote
 * (which, with no other voter, rejects); no everyday command may be either. The totals are printed.
 */
class RuleVoterCorpusTest {
    static final Path WORKSPACE = Path.of("/work/agents/a1/workspace");
    static final Map<String, String> ENV = Map.of("HOME", "/home/agent", "PATH", "/usr/local/bin:/usr/bin:/bin",
            "USER", "agent", "LANG", "C.UTF-8", "TMPDIR", "/tmp");
    private static final RuleVoter VOTER = new RuleVoter(WORKSPACE, ENV);
    private static final Map<String, Optional<Finding>> DESTRUCTIVE = new ConcurrentHashMap<>();
    private static final Map<String, Optional<Finding>> EVERYDAY = new ConcurrentHashMap<>();

    static List<String> destructive() {
        return corpus("gate/destructive.txt");
    }

    static List<String> everyday() {
        return corpus("gate/everyday.txt");
    }

    static List<String> corpus(String resource) {
        try (InputStream in = RuleVoterCorpusTest.class.getClassLoader().getResourceAsStream(resource)) {
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                out.add(line.replace(" ⏎ ", "\n"));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Ballot ballot(String command) {
        return VOTER.ballot(new Intention("int-1", "bash", JsonNodeFactory.instance.objectNode().put("command", command)));
    }

    @ParameterizedTest
    @MethodSource("destructive")
    void destructiveCommandsAreBlockedOrSentToAVote(String command) {
        Optional<Finding> f = VOTER.assess(command);
        DESTRUCTIVE.put(command, f);
        Ballot b = ballot(command);
        // recorded here, asserted as a whole in the summary (the issue's target is >= 95 %); each miss is named
        if (f.isPresent()) {
            assertTrue(b instanceof Ballot.Cast c && !c.vote().approve() || b instanceof Ballot.Defer, b.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("everyday")
    void everydayCommandsPass(String command) {
        Optional<Finding> f = VOTER.assess(command);
        EVERYDAY.put(command, f);
        assertEquals(Optional.empty(), f, command);
        assertEquals(Ballot.ABSTAIN, ballot(command), command);
    }

    @Test
    void theCorpusIsLargeEnough() {
        assertTrue(destructive().size() >= 60, "destructive corpus: " + destructive().size());
        assertTrue(everyday().size() >= 60, "everyday corpus: " + everyday().size());
        for (String c : destructive()) DESTRUCTIVE.computeIfAbsent(c, VOTER::assess);
        for (String c : everyday()) EVERYDAY.computeIfAbsent(c, VOTER::assess);
        long blocked = DESTRUCTIVE.values().stream().filter(Optional::isPresent).count();
        long everydayBlocked = EVERYDAY.values().stream().filter(Optional::isPresent).count();
        assertTrue(blocked * 100 >= 95L * DESTRUCTIVE.size(), "destructive blocked " + blocked + "/" + DESTRUCTIVE.size()
                + "; through: " + DESTRUCTIVE.entrySet().stream().filter(e -> e.getValue().isEmpty()).map(Map.Entry::getKey).toList());
        assertEquals(0, everydayBlocked, "everyday blocked: " + EVERYDAY.entrySet().stream().filter(e -> e.getValue().isPresent())
                .map(e -> e.getKey() + " -> " + e.getValue().get().message()).toList());
    }

    /** Every prefix of every corpus command (mostly broken shell) gets an answer, never an exception. */
    @Test
    void truncatedCommandsNeverThrow() {
        List<String> all = new ArrayList<>(destructive());
        all.addAll(everyday());
        for (String c : List.of("{ ".repeat(3000) + "x", "(".repeat(3000) + " x", "echo " + "$(".repeat(3000), "x".repeat(20000))) {
            Optional<Finding> f = VOTER.assess(c);
            assertFalse(f.isPresent() && f.get().reason().contains("could not analyze"), f.toString());
        }
        for (String c : all) {
            for (int end = 0; end <= c.length(); end++) {
                String prefix = c.substring(0, end);
                assertDoesNotThrow(() -> VOTER.assess(prefix), prefix);
                Optional<Finding> f = VOTER.assess(prefix);
                assertFalse(f.isPresent() && f.get().reason().contains("could not analyze"), prefix + " -> " + f);
            }
        }
    }

    @AfterAll
    static void printTotals() {
        long blocked = DESTRUCTIVE.values().stream().filter(f -> f.isPresent() && f.get().kind() == Finding.Kind.BLOCK).count();
        long voted = DESTRUCTIVE.values().stream().filter(f -> f.isPresent() && f.get().kind() == Finding.Kind.VOTE).count();
        long everydayStopped = EVERYDAY.values().stream().filter(Optional::isPresent).count();
        System.out.println("gate corpus: destructive stopped " + (blocked + voted) + "/" + DESTRUCTIVE.size()
                + " (" + blocked + " rejected by a rule, " + voted + " sent to a vote that defaults to reject); everyday stopped "
                + everydayStopped + "/" + EVERYDAY.size());
        DESTRUCTIVE.forEach((c, f) -> System.out.println("  " + f.map(x -> x.rule() + ": " + x.reason()).orElse("NOT STOPPED")
                + "  <=  " + c.replace("\n", " ⏎ ")));
        EVERYDAY.forEach((c, f) -> f.ifPresent(x -> System.out.println("  everyday, stopped: " + c + " -> " + x.message())));
        List<Long> nanos = new ArrayList<>();
        List<String> all = new ArrayList<>(destructive());
        all.addAll(everyday());
        for (int round = 0; round < 20; round++) {
            for (String c : all) {
                long t0 = System.nanoTime();
                VOTER.assess(c);
                if (round >= 10) nanos.add(System.nanoTime() - t0);
            }
        }
        nanos.sort(null);
        System.out.printf("gate corpus: per-command assess time (rules + parse + analysis), median %.1f µs, p99 %.1f µs%n",
                nanos.get(nanos.size() / 2) / 1000.0, nanos.get(nanos.size() * 99 / 100) / 1000.0);
    }
}
