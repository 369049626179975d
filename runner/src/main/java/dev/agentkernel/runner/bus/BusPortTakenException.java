package dev.agentkernel.runner.bus;

import java.io.IOException;

/**
 * The bus port is in use. Not a {@link java.net.BindException}: that one tells the spawner to retry with another
 * HTTP port, which would not help; the bus port is the caller's choice and the spawn must fail saying so.
 */
public final class BusPortTakenException extends IOException {
    public BusPortTakenException(String bind, int port, Throwable cause) {
        super("agentbus port " + port + " is taken (cannot bind " + bind + ":" + port + "): stop whatever listens there, "
                + "or spawn with AgentBusConfig.builder().port(0) to pick a free port", cause);
    }
}
