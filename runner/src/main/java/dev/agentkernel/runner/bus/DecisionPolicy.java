package dev.agentkernel.runner.bus;

import dev.agentkernel.runner.model.BadConfigException;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How the votes on an intention become a decision. Voters may abstain (the rule voter does when no rule
 * matches: a list of bad patterns cannot vouch for a command); when every voter abstains the call commits.
 */
public enum DecisionPolicy {
    /** The first approve or reject decides. */
    FIRST_BOOLEAN_WINS("first_boolean_wins"),
    /** Any reject aborts; commits when every voter that voted approved. */
    UNANIMOUS("unanimous"),
    /** More approvals than rejections commits; a tie aborts. */
    MAJORITY("majority");

    private final String wireName;

    DecisionPolicy(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    static DecisionPolicy parse(String name) throws BadConfigException {
        if (name == null || name.isBlank()) return FIRST_BOOLEAN_WINS;
        for (DecisionPolicy p : values()) {
            if (p.wireName.equalsIgnoreCase(name.trim())) return p;
        }
        throw new BadConfigException("config agentbus_policy '" + name + "' is unknown: use one of "
                + Arrays.stream(values()).map(DecisionPolicy::wireName).toList());
    }

    /** The decision once these votes are in, or empty while more votes could change it ({@code remaining} voters left). */
    Optional<Boolean> decide(List<Vote> votes, int remaining) {
        long approve = votes.stream().filter(Vote::approve).count();
        long reject = votes.size() - approve;
        return switch (this) {
            case FIRST_BOOLEAN_WINS -> !votes.isEmpty() ? Optional.of(votes.getFirst().approve())
                    : remaining == 0 ? Optional.of(true) : Optional.empty();
            case UNANIMOUS -> reject > 0 ? Optional.of(false) : remaining == 0 ? Optional.of(true) : Optional.empty();
            case MAJORITY -> {
                if (remaining == 0) yield Optional.of(votes.isEmpty() || approve > reject);
                if (approve > reject + remaining) yield Optional.of(true);
                // the voters left can at best tie, and a tie aborts
                if (!votes.isEmpty() && reject >= approve + remaining) yield Optional.of(false);
                yield Optional.empty();
            }
        };
    }
}
