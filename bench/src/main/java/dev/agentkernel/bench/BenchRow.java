package dev.agentkernel.bench;

/** One line of the benchmark table. */
public record BenchRow(String metric, String result, String target) {}
