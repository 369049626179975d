package dev.agentkernel.runner.bus;

import dev.agentkernel.runner.RunnerSettings;
import dev.agentkernel.runner.llm.Providers;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
     * Loads the log from the state dir and binds the bus port (not yet serving).
     *
     * @throws BusPortTakenException when the port is in use
     */
    public static BusService open(RunnerSettings settings, Providers providers) throws IOException {
        BusSettings bs = settings.bus();
        BusLog log = new BusLog(busId(settings), settings.stateDir());
        Map<String, Voter> voters = new HashMap<>();
        voters.put(RuleVoter.NAME, new RuleVoter(settings.workspace()));
        voters.put(LlmVoter.NAME, new LlmVoter(providers));
        AgentBus bus = new AgentBus(log, bs, voters, settings.model());
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(settings.bindAddress()), bs.port());
            return new BusService(bus, new BusHttpServer(address, settings.nonce(), bus));
        } catch (BindException e) {
            bus.close();
            throw new BusPortTakenException(settings.bindAddress(), bs.port(), e);
        } catch (IOException | RuntimeException e) {
            bus.close();
            throw e;
        }
    }

    /** {@code {agent_name}.{agent_id}}. */
    public static String busId(RunnerSettings settings) {
        return settings.name() + "." + settings.agentId();
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
