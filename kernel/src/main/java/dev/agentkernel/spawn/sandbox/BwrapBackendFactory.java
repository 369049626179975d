package dev.agentkernel.spawn.sandbox;

/** {@code bwrap}: the Python original's name for the {@code sandbox} backend; the kernel reports "sandbox". */
public final class BwrapBackendFactory extends SandboxBackendFactory {
    public static final String ALIAS = "bwrap";

    @Override
    public String name() { return ALIAS; }
}
