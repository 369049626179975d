package dev.agentkernel;

/** The state of an image build. {@code image} is set once the job succeeded, {@code error} once it failed. */
public record PackageJob(String id, Status status, String error, AgentImage image) {
    public enum Status { PENDING, RUNNING, SUCCEEDED, FAILED }
}
