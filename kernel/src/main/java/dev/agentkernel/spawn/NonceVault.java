package dev.agentkernel.spawn;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nonces of this kernel's live agents, in memory only: the spawner puts one at spawn and removes
 * it at kill; the client reads it for calls that carry none (history, info, cancel).
 */
public final class NonceVault {
    private final ConcurrentHashMap<String, String> nonces = new ConcurrentHashMap<>();

    public void put(String agentId, String nonce) { nonces.put(agentId, nonce); }

    public void remove(String agentId) { nonces.remove(agentId); }

    public Optional<String> get(String agentId) { return Optional.ofNullable(nonces.get(agentId)); }

    @Override
    public String toString() { return "NonceVault[" + nonces.size() + " agents]"; }
}
