package dev.agentkernel.protocol;

/**
 * The environment through which the Kubernetes backend tells a pod's runner which Lease stands for its owner (the
 * kernel): the kernel's {@code OwnerLease} sets these, the runner's {@code LeaseWatch} reads them.
 */
public final class OwnerLeaseEnv {
    /** The Lease's name. */
    public static final String LEASE = "AGENTKERNEL_OWNER_LEASE";
    /** Seconds without a renewal after which the runner stops. */
    public static final String TIMEOUT_SECONDS = "AGENTKERNEL_LEASE_TIMEOUT_SECONDS";
    /** The Lease's namespace. */
    public static final String NAMESPACE = "AGENTKERNEL_LEASE_NAMESPACE";

    private OwnerLeaseEnv() {}
}
