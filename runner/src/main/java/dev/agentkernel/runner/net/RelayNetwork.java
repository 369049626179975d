package dev.agentkernel.runner.net;

import dev.agentkernel.protocol.relay.Pump;
import dev.agentkernel.protocol.relay.RelaySockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A runner's network when it lives in a namespace of its own (config {@code relay_dir}): the egress entry
 * every outgoing HTTP connection uses as its proxy, and one Unix relay per port the kernel must reach.
 * Opened before anything that connects out or listens, started with the runner, closed with it.
 */
public final class RelayNetwork implements AutoCloseable {
    private final Path dir;
    private final EgressEntry egress;
    private final List<UnixRelayListener> inbound = new ArrayList<>();
    private boolean started;
    private boolean closed;

    private RelayNetwork(Path dir, EgressEntry egress) {
        this.dir = dir;
        this.egress = egress;
    }

    /** Binds the egress entry; the proxy address is known from here on, so providers and tools can be set up. */
    public static RelayNetwork open(Path dir) throws IOException {
        return new RelayNetwork(dir, new EgressEntry(dir.resolve(RelaySockets.EGRESS)));
    }

    public Path dir() {
        return dir;
    }

    public int egressPort() {
        return egress.port();
    }

    /** What the LLM clients use: the SDKs speak HTTP proxy (absolute-form, or CONNECT for https). */
    public Proxy llmProxy() {
        return new Proxy(Proxy.Type.HTTP, egress.address());
    }

    /** What the tools' {@code NO_PROXY} lists: the sandbox's own loopback. */
    public static final String LOOPBACK_NAMES = "localhost,127.0.0.1,::1";

    /**
     * What tool processes get, so curl, pip, git and the like go out through the kernel's allow-list (and get its
     * explanation when refused) instead of failing with "network unreachable". Both spellings: tools disagree.
     */
    public Map<String, String> toolEnvironment() {
        String url = "http://" + egress.address().getAddress().getHostAddress() + ":" + egress.port();
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
            env.put(name, url);
        }
        // Loopback inside the sandbox is the sandbox: a server the agent starts there is reached directly,
        // not sent to the kernel's proxy (where 127.0.0.1 would mean the host).
        for (String name : List.of("NO_PROXY", "no_proxy")) env.put(name, LOOPBACK_NAMES);
        return Map.copyOf(env);
    }

    /**
     * Listens on {@code <dir>/<socketName>} and forwards to {@code bound}, the address a server here is bound to
     * (a wildcard address is reached through loopback). Started now if the network already is.
     */
    public synchronized UnixRelayListener relayInbound(String socketName, InetSocketAddress bound) throws IOException {
        if (closed) throw new IllegalStateException("relay network is closed");
        UnixRelayListener listener = new UnixRelayListener(dir.resolve(socketName), reachable(bound));
        inbound.add(listener);
        if (started) listener.start();
        return listener;
    }

    static InetSocketAddress reachable(InetSocketAddress bound) {
        InetAddress address = bound.getAddress();
        if (address == null || address.isAnyLocalAddress()) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort());
        }
        return bound;
    }

    public synchronized List<UnixRelayListener> inbound() {
        return List.copyOf(inbound);
    }

    public synchronized void start() {
        if (started || closed) return;
        started = true;
        egress.start();
        inbound.forEach(UnixRelayListener::start);
    }

    /** Inbound first, so the kernel stops sending before the way out closes; removes the sockets we made. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        inbound.forEach(Pump::closeQuietly);
        egress.close();
    }
}
