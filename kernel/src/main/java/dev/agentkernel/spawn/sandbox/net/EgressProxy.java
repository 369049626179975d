package dev.agentkernel.spawn.sandbox.net;

import dev.agentkernel.protocol.relay.Pump;
import dev.agentkernel.protocol.relay.SocketListener;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A sandboxed agent's only way out: an HTTP proxy on a Unix socket that the agent's runner (which has no
 * network of its own) uses for every outgoing connection. It tunnels {@code CONNECT host:port} and forwards
 * absolute-form plain-http requests, to the hosts of an {@link EgressAllowList} only; everything else gets
 * an error response that says what is allowed and how to allow more.
 */
public final class EgressProxy extends SocketListener {
    static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a refused client may take to read our answer before we hang up on it. */
    private static final Duration LINGER = Duration.ofSeconds(2);
    private static final int LINGER_BYTES = 64 * 1024;

    private final Path socket;
    private final EgressAllowList allow;
    /** Set once by the opener before any connection matters (see {@link #open(Path, EgressAllowList, EndpointPaths, String, Consumer)}). */
    private volatile EndpointPaths paths = EndpointPaths.ANY;
    private final String agentLabel;
    private final Consumer<String> onDenied;
    private final Duration headTimeout;
    private final Duration connectTimeout;
    private final LongAdder allowed = new LongAdder();
    private final LongAdder denied = new LongAdder();

    /** The corporate proxy allowed targets are reached through ({@link dev.agentkernel.protocol.net.ProxyEnv#NONE}: direct). */
    private volatile dev.agentkernel.protocol.net.ProxyEnv corporateProxy = dev.agentkernel.protocol.net.ProxyEnv.NONE;

    private EgressProxy(Path socket, EgressAllowList allow, String agentLabel, Consumer<String> onDenied,
                        Duration headTimeout, Duration connectTimeout, ServerSocketChannel server) {
        super(server, "egress-accept-" + agentLabel, "egress-" + agentLabel);
        this.socket = socket;
        this.allow = allow;
        this.agentLabel = agentLabel;
        this.onDenied = onDenied;
        this.headTimeout = headTimeout;
        this.connectTimeout = connectTimeout;
    }

    /** Listens at {@code socket} (replacing a stale socket there, nothing else); see the class comment. */
    public static EgressProxy open(Path socket, EgressAllowList allow, String agentLabel) throws IOException {
        return open(socket, allow, agentLabel, denial -> {});
    }

    /**
     * Same, and calls {@code onDenied} with a one-line description of every refused request (target, method,
     * what is allowed), for a log.
     */
    public static EgressProxy open(Path socket, EgressAllowList allow, String agentLabel, Consumer<String> onDenied) throws IOException {
        return open(socket, allow, agentLabel, onDenied, HEAD_TIMEOUT, CONNECT_TIMEOUT);
    }

    /** As {@link #open(Path, EgressAllowList, String, Consumer)}; plain-http requests to the LLM endpoint must also pass {@code paths}. */
    public static EgressProxy open(Path socket, EgressAllowList allow, EndpointPaths paths, String agentLabel, Consumer<String> onDenied)
            throws IOException {
        return open(socket, allow, paths, agentLabel, onDenied, dev.agentkernel.protocol.net.ProxyEnv.NONE);
    }

    /**
     * As {@link #open(Path, EgressAllowList, EndpointPaths, String, Consumer)}, reaching allowed targets through
     * {@code upstream}, the corporate proxy of the kernel's environment, where it applies (its {@code NO_PROXY} too).
     */
    public static EgressProxy open(Path socket, EgressAllowList allow, EndpointPaths paths, String agentLabel, Consumer<String> onDenied,
                                   dev.agentkernel.protocol.net.ProxyEnv upstream) throws IOException {
        EgressProxy proxy = open(socket, allow, agentLabel, onDenied, HEAD_TIMEOUT, CONNECT_TIMEOUT);
        proxy.paths = paths == null ? EndpointPaths.ANY : paths;
        proxy.corporateProxy = upstream == null ? dev.agentkernel.protocol.net.ProxyEnv.NONE : upstream;
        return proxy;
    }

    static EgressProxy open(Path socket, EgressAllowList allow, String agentLabel, Consumer<String> onDenied,
                            Duration headTimeout, Duration connectTimeout) throws IOException {
        Objects.requireNonNull(allow, "allow");
        Objects.requireNonNull(onDenied, "onDenied");
        SocketFiles.checkLength(socket);
        SocketFiles.removeStale(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            Pump.closeQuietly(server);
            throw new IOException("cannot listen at " + socket + ": " + e.getMessage(), e);
        }
        // No chmod: it would follow a link the agent may swap in; the relay directory (0700) keeps others out.
        EgressProxy proxy = new EgressProxy(socket, allow, agentLabel, onDenied, headTimeout, connectTimeout, server);
        proxy.start();
        return proxy;
    }

    public Path socket() { return socket; }

    public EgressAllowList allowList() { return allow; }

    /** Requests let through (counted before connecting, so a target that does not answer counts too). */
    public long allowedCount() { return allowed.sum(); }

    /** Requests refused because the allow-list does not name their target. */
    public long deniedCount() { return denied.sum(); }

    /** After close() has stopped accepting and ended every connection: removes the socket file. */
    @Override
    protected void afterClose() {
        SocketFiles.deleteIfSocket(socket);
    }

    @Override
    protected void serve(SocketChannel client) {
        try {
            HeadReader.Result result;
            try (Deadline ignored = Deadline.start(headTimeout, () -> Pump.closeQuietly(client))) {
                result = HeadReader.read(client);
            }
            switch (result) {
                case HeadReader.Ended ended -> { }
                case HeadReader.TooBig tooBig -> refuse(client, 431, "Request Header Fields Too Large",
                        "agentkernel sandbox: the request head is longer than " + HeadReader.MAX_HEAD_BYTES / 1024 + " KiB");
                case HeadReader.Head head -> handle(client, head);
            }
        } catch (IOException e) {
            // The client hung up, stayed silent past the head timeout, or the proxy is closing.
        } finally {
            connections().close(client);
        }
    }

    private void handle(SocketChannel client, HeadReader.Head head) throws IOException {
        ProxyRequest request;
        try {
            request = ProxyRequest.from(RequestHead.parse(head.head()));
        } catch (RequestHead.Malformed e) {
            String problem = e.getMessage().contains(ProxyRequest.EXPECTED) ? e.getMessage() : e.getMessage() + "; " + ProxyRequest.EXPECTED;
            refuse(client, 400, "Bad Request", "agentkernel sandbox: " + problem);
            return;
        }
        HostPort target = request.target();
        if (!allow.allows(target.host(), target.port())) {
            deny(client, request);
            return;
        }
        if (!request.tunnel() && !paths.allows(target.toString(), request.pathAndQuery())) {
            denyPath(client, request);
            return;
        }
        allowed.increment();
        SocketChannel upstream;
        try {
            java.net.Proxy via = corporateProxy.proxyFor(java.net.URI.create((request.tunnel() ? "https" : "http") + "://" + target));
            upstream = Dialer.connect(target, connectTimeout, connections(), via.type() == java.net.Proxy.Type.DIRECT ? null : via);
        } catch (UnknownHostException e) {
            refuse(client, 502, "Bad Gateway", "agentkernel sandbox: cannot reach " + target + ": unknown host " + target.host());
            return;
        } catch (IOException e) {
            if (!isClosed()) {
                refuse(client, 502, "Bad Gateway", "agentkernel sandbox: cannot reach " + target + ": " + reason(e));
            }
            return;
        }
        try {
            if (request.tunnel()) {
                writeFully(client, ProxyReplies.established());
            } else {
                writeFully(upstream, request.upstreamHead());
            }
            writeFully(upstream, head.leftover());
            Pump.run(client, upstream);
        } finally {
            connections().close(upstream);
        }
    }

    private void deny(SocketChannel client, ProxyRequest request) throws IOException {
        denied.increment();
        String target = request.target().toString();
        try {
            onDenied.accept(target + " (" + request.method() + "; agent " + agentLabel + " may reach: " + allow + ")");
        } catch (RuntimeException e) {
            // A logging callback must not take the proxy down.
        }
        refuse(client, 403, "Forbidden", "agentkernel sandbox: agent " + agentLabel + " may not reach " + target
                + "; it may reach: " + allow + ". Allow more hosts with `sandbox: {allow: [\"" + target
                + "\"]}` in the kernel config (docs/sandbox.md).");
    }

    private void denyPath(SocketChannel client, ProxyRequest request) throws IOException {
        denied.increment();
        String what = request.target() + RequestHead.printable(request.pathAndQuery());
        try {
            onDenied.accept(what + " (" + request.method() + "; agent " + agentLabel + " may reach on its LLM endpoint only: " + paths + ")");
        } catch (RuntimeException e) {
            // A logging callback must not take the proxy down.
        }
        refuse(client, 403, "Forbidden", "agentkernel sandbox: agent " + agentLabel + " may not reach " + what
                + ": rule 'LLM endpoint API paths': on its LLM endpoint it may reach only " + paths
                + ". To reach other paths there, add \"" + request.target() + "\" to `sandbox: {allow: [...]}` (docs/sandbox.md).");
    }

    /**
     * Answers with an error and hangs up. The rest of the request is read and dropped for a moment first:
     * closing with unread input would reset the connection, and the client might lose the answer.
     */
    private void refuse(SocketChannel client, int status, String reason, String message) throws IOException {
        writeFully(client, ProxyReplies.error(status, reason, message));
        client.shutdownOutput();
        try (Deadline ignored = Deadline.start(LINGER, () -> Pump.closeQuietly(client))) {
            ByteBuffer sink = ByteBuffer.allocate(8192);
            int drained = 0;
            while (drained < LINGER_BYTES) {
                int n = client.read(sink.clear());
                if (n < 0) break;
                drained += n;
            }
        }
    }

    private static void writeFully(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    private static String reason(IOException e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Channels open right now (both ends of each relayed connection), to check that none leak. */
    int liveChannels() { return connections().size(); }

    @Override
    public String toString() { return "EgressProxy(" + socket + ", agent " + agentLabel + ", allows " + allow + ")"; }

}
