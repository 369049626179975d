package dev.agentkernel.spawn;

import java.net.URI;
import java.util.function.BooleanSupplier;

/**
 * How to reach one agent: its base URL and a cheap check of whether its process (or pod) still
 * runs, which lets the client tell "agent died" from "network hiccup".
 */
public record AgentEndpoint(String agentId, String name, URI baseUri, BooleanSupplier alive) {
    public boolean isAlive() {
        return alive.getAsBoolean();
    }
}
