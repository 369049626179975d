package dev.agentkernel.runner.bus;

import dev.agentkernel.runner.llm.Providers;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The bus of one runner: its log, its gate and its HTTP server, opened and closed together. */
public final class BusService implements AutoCloseable {
    /** Runner exit code when the bus port is taken (distinct from the HTTP port's, which the spawner retries). */
    public static final int EXIT_BUS_PORT_IN_USE = 4;

    private final AgentBus bus;
    private final BusHttpServer server;

    private BusService(AgentBus bus, BusHttpServer server) {
        this.bus = bus;
        this.server = server;
    }

    /**
     * Where one runner's bus lives: what the bus needs from the runner's settings, so this package does not depend
     * on the runner's root package (issue 16.4: no package circle in the runner).
     *
     * @param busId       {@code {agent_name}.{agent_id}} (see {@link #busId})
     * @param stateDir    where the bus log is kept
     * @param workspace   the directory the rule voter judges paths against
     * @param model       the model the LLM voter asks
     * @param bindAddress the address the bus port binds to
     * @param nonce       the bearer every bus request must carry
     */
    public record Host(String busId, Path stateDir, Path workspace, String model, String bindAddress, String nonce) {}

    /**
     * Loads the log from the state dir and binds the bus port (not yet serving).
     *
     * @throws BusPortTakenException when the port is in use
     */
    public static BusService open(BusSettings bs, Host host, Providers providers) throws IOException {
        BusLog log = new BusLog(host.busId(), host.stateDir());
        Map<String, Voter> voters = new HashMap<>();
        voters.put(RuleVoter.NAME, new RuleVoter(host.workspace()));
        voters.put(LlmVoter.NAME, new LlmVoter(providers));
        AgentBus bus = new AgentBus(log, bs, voters, host.model());
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host.bindAddress()), bs.port());
            return new BusService(bus, new BusHttpServer(address, host.nonce(), bus));
        } catch (BindException e) {
            bus.close();
            throw new BusPortTakenException(host.bindAddress(), bs.port(), e);
        } catch (IOException | RuntimeException e) {
            bus.close();
            throw e;
        }
    }

    /** {@code {agent_name}.{agent_id}}. */
    public static String busId(String agentName, String agentId) {
        return agentName + "." + agentId;
    }

    public AgentBus bus() {
        return bus;
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.address().getPort();
    }

    /** The bound address (the port differs from the config's when it asked for 0). */
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
        bus.close();
    }
}
