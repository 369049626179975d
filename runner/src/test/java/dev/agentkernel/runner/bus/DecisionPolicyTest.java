package dev.agentkernel.runner.bus;

import dev.agentkernel.runner.model.BadConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.agentkernel.runner.bus.DecisionPolicy.*;
import static org.junit.jupiter.api.Assertions.*;

class DecisionPolicyTest {
    private static final Vote YES = Vote.approve("a", "ok");
    private static final Vote NO = Vote.reject("b", "no");

    @Test
    void firstBooleanWinsTakesTheFirstVoteAndCommitsWhenAllAbstain() {
        assertEquals(Optional.of(false), FIRST_BOOLEAN_WINS.decide(List.of(NO), 2));
        assertEquals(Optional.of(true), FIRST_BOOLEAN_WINS.decide(List.of(YES, NO), 0));
        assertEquals(Optional.empty(), FIRST_BOOLEAN_WINS.decide(List.of(), 1));
        assertEquals(Optional.of(true), FIRST_BOOLEAN_WINS.decide(List.of(), 0));
    }

    @Test
    void unanimousAbortsOnAnyRejectAndWaitsForEveryVoter() {
        assertEquals(Optional.of(false), UNANIMOUS.decide(List.of(YES, NO), 1));
        assertEquals(Optional.empty(), UNANIMOUS.decide(List.of(YES), 1));
        assertEquals(Optional.of(true), UNANIMOUS.decide(List.of(YES, YES), 0));
    }

    @Test
    void majorityNeedsMoreApprovalsAndATieAborts() {
        assertEquals(Optional.of(true), MAJORITY.decide(List.of(YES, YES), 1));
        assertEquals(Optional.of(false), MAJORITY.decide(List.of(NO), 1), "the last voter can only tie, and a tie aborts");
        assertEquals(Optional.empty(), MAJORITY.decide(List.of(YES), 1));
        assertEquals(Optional.of(false), MAJORITY.decide(List.of(YES, NO), 0));
        assertEquals(Optional.of(true), MAJORITY.decide(List.of(), 0));
    }

    @Test
    void parsesWireNamesAndNamesTheChoicesOnATypo() throws BadConfigException {
        assertEquals(MAJORITY, DecisionPolicy.parse("majority"));
        assertEquals(FIRST_BOOLEAN_WINS, DecisionPolicy.parse(null));
        BadConfigException e = assertThrows(BadConfigException.class, () -> DecisionPolicy.parse("unanimus"));
        assertTrue(e.getMessage().contains("unanimous") && e.getMessage().contains("unanimus"), e.getMessage());
    }
}
