package dev.agentkernel;

/** A packaged agent image: a directory (local backends) or an OCI image reference (Kubernetes). */
public record AgentImage(String id, String name, String path, String reference) {}
