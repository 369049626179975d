package dev.agentkernel.bench;

import java.util.List;

/**
 * One group of measurements. A section starts the agents it needs from {@link BenchContext} and stops
 * them before it returns, so sections can run alone ({@code --only NAME}) or in any order.
 */
public interface BenchSection {

    /** The name {@code --only} takes: lower case, no spaces. */
    String name();

    /** One line for {@code --list}. */
    String description();

    /** Measures; the agents it spawned through {@code ctx} are killed after it returns or fails. */
    List<BenchRow> run(BenchContext ctx) throws Exception;
}
