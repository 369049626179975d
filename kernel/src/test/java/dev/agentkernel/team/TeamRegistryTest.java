package dev.agentkernel.team;

import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.Team;
import dev.agentkernel.TeamCapacityException;
import dev.agentkernel.TeamNotFoundException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class TeamRegistryTest {

    @Test
    void fullTeamMessageNamesTeamCapacityUseAndRequest() {
        TeamRegistry teams = new TeamRegistry();
        teams.create("analysis", Map.of("cpu", 2));
        teams.reserve("analysis", "a1", new Resources(1500, 0));
        TeamCapacityException e = assertThrows(TeamCapacityException.class,
                () -> teams.reserve("analysis", "a2", new Resources(1000, 0)));
        String m = e.getMessage();
        assertTrue(m.contains("'analysis'") && m.contains("capacity 2 cpu") && m.contains("in use 1.5 cpu")
                && m.contains("requested 1 cpu"), m);
        teams.reserve("analysis", "a3", new Resources(500, 0));
        Team t = teams.get("analysis");
        assertEquals(2.0, t.cpuInUse());
        assertEquals(List.of("a1", "a3"), t.agentIds());
    }

    @Test
    void releaseFreesCapacityAndIsIdempotent() {
        TeamRegistry teams = new TeamRegistry();
        teams.create("t", Map.of("cpu", 1, "memory", "1Gi"));
        teams.reserve("t", "a", new Resources(1000, 1L << 30));
        teams.release("t", "a");
        teams.release("t", "a");
        teams.reserve("t", "b", new Resources(1000, 1L << 30));
        assertThrows(TeamCapacityException.class, () -> teams.reserve("t", "c", new Resources(0, 1)));
    }

    @Test
    void unknownTeamListsKnownTeams() {
        TeamRegistry teams = new TeamRegistry();
        teams.create("red", Map.of("cpu", 1));
        teams.create("blue", Map.of("cpu", "500m"));
        TeamNotFoundException e = assertThrows(TeamNotFoundException.class, () -> teams.reserve("green", "a", Resources.AGENT_DEFAULT));
        assertTrue(e.getMessage().contains("'green'") && e.getMessage().contains("red, blue"), e.getMessage());
    }

    @Test
    void noTeamMeansNoLimit() {
        TeamRegistry teams = new TeamRegistry();
        for (int i = 0; i < 100; i++) teams.reserve("", "a" + i, new Resources(1000, 0));
        assertTrue(teams.list().isEmpty());
    }

    @Test
    void createRejectsBadRequests() {
        TeamRegistry teams = new TeamRegistry();
        teams.create("t", Map.of("cpu", 1));
        assertThrows(InvalidRequestException.class, () -> teams.create("t", Map.of("cpu", 1)), "duplicate");
        assertThrows(InvalidRequestException.class, () -> teams.create("u", Map.of()), "no cpu");
        assertThrows(InvalidRequestException.class, () -> teams.create("u", Map.of("cpu", -2)));
        assertThrows(InvalidRequestException.class, () -> teams.create("u", Map.of("cpu", 1, "memory", "lots")));
        assertThrows(InvalidRequestException.class, () -> teams.create("", Map.of("cpu", 1)));
        Team t = teams.create("m", Map.of("cpu", "1500m", "memory", "2Gi"));
        assertEquals(1.5, t.cpu());
        assertEquals(2L << 30, t.memoryBytes());
    }

    @Test
    void concurrentReservationsNeverOverCommit() throws Exception {
        TeamRegistry teams = new TeamRegistry();
        teams.create("t", Map.of("cpu", 5));
        AtomicInteger ok = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
            for (int i = 0; i < 20; i++) {
                String id = "a" + i;
                futures.add(pool.submit(() -> {
                    go.await();
                    try {
                        teams.reserve("t", id, Resources.AGENT_DEFAULT);
                        ok.incrementAndGet();
                    } catch (TeamCapacityException expected) {
                        // full
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) f.get();
        }
        assertEquals(5, ok.get());
        assertEquals(5.0, teams.get("t").cpuInUse());
    }
}
