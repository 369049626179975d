package dev.agentkernel;

/** Lifecycle of an agent as the kernel tracks it. */
public enum AgentState { STARTING, RUNNING, STOPPED, FAILED }
