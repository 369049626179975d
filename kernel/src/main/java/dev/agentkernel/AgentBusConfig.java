package dev.agentkernel;

/** Turns on the AgentBus for an agent. {@code port(0)} picks a free port. */
public record AgentBusConfig(int port, boolean disableSafety) {
    public static final int DEFAULT_PORT = 8095;

    public static Builder builder() { return new Builder(); }

    public static final class Builder {
        private int port = DEFAULT_PORT;
        private boolean disableSafety = false;

        public Builder port(int port) { this.port = port; return this; }
        public Builder disableSafety(boolean disableSafety) { this.disableSafety = disableSafety; return this; }
        public AgentBusConfig build() {
            if (port < 0 || port > 65535) throw new InvalidRequestException("AgentBusConfig.port must be 0..65535 (0 picks a free port), got " + port);
            return new AgentBusConfig(port, disableSafety);
        }
    }
}
