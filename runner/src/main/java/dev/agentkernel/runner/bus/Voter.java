package dev.agentkernel.runner.bus;

import java.util.Optional;

/** Judges a tool call before it runs. Empty means abstain: this voter has no opinion on the call. */
public interface Voter {
    String name();

    Optional<Vote> vote(Intention intention);

    /** Like {@link #vote}, but a voter may also defer the call to the other voters (see {@link Ballot.Defer}). */
    default Ballot ballot(Intention intention) {
        return vote(intention).<Ballot>map(Ballot.Cast::new).orElse(Ballot.ABSTAIN);
    }
}
