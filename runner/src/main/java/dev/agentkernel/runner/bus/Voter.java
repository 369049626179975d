package dev.agentkernel.runner.bus;

import java.util.Optional;

/** Judges a tool call before it runs. Empty means abstain: this voter has no opinion on the call. */
public interface Voter {
    String name();

    Optional<Vote> vote(Intention intention);
}
