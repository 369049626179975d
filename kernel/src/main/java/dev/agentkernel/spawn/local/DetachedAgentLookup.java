package dev.agentkernel.spawn.local;

import dev.agentkernel.AgentNotFoundException;
import dev.agentkernel.AgentState;
import dev.agentkernel.AgentUnreachableException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.NonceRejectedException;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Finds a detached agent in the state dir and proves the caller may take it over: its record exists,
 * its runner is the same process that was recorded (not a reused pid), and the runner itself accepts
 * the nonce on an authenticated call. The nonce is never compared locally: only the runner knows it
 * (config.json may be unreadable, e.g. inside a sandbox), and asking it also proves it still answers.
 */
final class DetachedAgentLookup {
    /** Agent ids are UUIDs; anything else could walk out of the agents directory. */
    private static final Pattern ID = Pattern.compile("[0-9a-fA-F-]{1,64}");
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    /** What {@link LocalBackend} needs to register the agent. */
    record Found(AgentRecord record, AgentDir dir, ProcessHandle runner, AgentNetwork network) {}

    private DetachedAgentLookup() {}

    /**
     * {@code network} re-creates the agent's network on this kernel (the sandbox backend's relays must exist
     * before the runner can be asked anything); it is closed again if the agent is refused.
     */
    static Found find(Path agentsDir, String agentId, String nonce, java.util.function.Function<AgentDir, AgentNetwork> network) {
        if (agentId == null || !ID.matcher(agentId).matches()) {
            throw new InvalidRequestException("agent id '" + agentId + "' is not an agent id; use the id from "
                    + "SpawnResult.agent().id() or `bin/agentkernel status`");
        }
        if (nonce == null || nonce.isBlank()) {
            throw new InvalidRequestException("attach needs the nonce the agent was spawned with (SpawnResult.nonce())");
        }
        AgentDir dir = new AgentDir(agentsDir.resolve(agentId));
        if (!Files.isRegularFile(dir.recordFile())) {
            throw new AgentNotFoundException("no agent with id " + agentId + " is recorded under " + agentsDir
                    + "; build the kernel on the state dir that spawned it (AgentKernel.builder().stateDir(...)),"
                    + " `bin/agentkernel status` lists the agents there");
        }
        AgentRecord record;
        try {
            record = dir.readRecord();
        } catch (IOException e) {
            throw new AgentNotFoundException("the record of agent " + agentId + " (" + dir.recordFile() + ") cannot be read: "
                    + e.getMessage(), e);
        }
        if (!record.detached()) {
            throw new InvalidRequestException("agent '" + record.name() + "' (" + agentId + ") is not detached: it lives and dies"
                    + " with the kernel that spawned it (pid " + record.ownerPid() + "); spawn with SpawnRequest.builder().detached(true)"
                    + " to make an agent another kernel can attach to");
        }
        ProcessHandle runner = record.state() == AgentState.STOPPED ? null : record.runner().orElse(null);
        if (runner == null) {
            throw new AgentUnreachableException("agent '" + record.name() + "' (" + agentId + ") is no longer running (process "
                    + record.pid() + " is gone); its history stays in " + dir.path() + "; spawn a new agent to continue");
        }
        AgentNetwork net = network.apply(dir);
        try {
            verifyNonce(record, nonce);
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        return new Found(record, dir, runner, net);
    }

    /** {@code GET /info} with the nonce: 200 accepts it, 401 rejects it. */
    private static void verifyNonce(AgentRecord record, String nonce) {
        URI info = URI.create("http://127.0.0.1:" + record.port() + Protocol.PATH_INFO);
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(CHECK_TIMEOUT).build()) {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(info).timeout(CHECK_TIMEOUT)
                    .header("Authorization", "Bearer " + nonce).GET().build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 401) {
                throw new NonceRejectedException("agent '" + record.name() + "' (" + record.id() + ") rejected the nonce;"
                        + " pass the nonce from the SpawnResult that created it");
            }
            if (response.statusCode() != 200) {
                throw new AgentUnreachableException("agent '" + record.name() + "' answered " + info + " with HTTP "
                        + response.statusCode() + "; check " + record.id() + "/runner.err");
            }
        } catch (IOException e) {
            throw new AgentUnreachableException("agent '" + record.name() + "' (" + record.id() + ") runs as pid " + record.pid()
                    + " but does not answer on port " + record.port() + " (" + e.getMessage() + "); kill it with"
                    + " `bin/agentkernel cleanup --all` and spawn a new one", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentUnreachableException("interrupted while checking agent " + record.id(), e);
        }
    }
}
