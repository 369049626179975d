package dev.agentkernel.cells;

/**
 * A piece of a cell that runs as Java: the whole cell, or one {@code <helpers>} block.
 *
 * @param code      the Java source of the block
 * @param firstLine the 1-based cell line on which {@code code} starts, so diagnostics can name cell lines
 */
public record CodeBlock(String code, int firstLine) {
}
