package dev.agentkernel.protocol.relay;

import java.nio.charset.StandardCharsets;

/**
 * The Unix sockets through which a runner in its own network namespace (the sandbox backend's isolated
 * network) talks to the world. The kernel and the runner share one directory: the kernel sees it on the
 * host, the runner at {@link #SANDBOX_DIR} (config field {@code relay_dir}).
 *
 * <ul>
 *   <li>{@link #HTTP} and {@link #BUS}: the runner listens; each connection is forwarded to its own HTTP
 *       (or AgentBus) port on the sandbox's loopback. The kernel relays the same port number on the host's
 *       loopback to it, so clients use the URL they always used.</li>
 *   <li>{@link #EGRESS}: the kernel listens and acts as an HTTP proxy (CONNECT, or absolute-form for
 *       plain http) that lets through only the host:port pairs the agent is allowed to reach.</li>
 * </ul>
 *
 * A runner-side listener writes the {@link #greeting() greeting} first on every connection. The kernel checks it before
 * relaying, so an agent that replaces its socket with a link to some other socket on the host (a
 * container engine's, say) cannot make the kernel talk to that socket on its behalf.
 */
public final class RelaySockets {
    private RelaySockets() {}

    /** Where the runner sees the relay directory inside the sandbox: short, so socket paths fit in 108 bytes. */
    public static final String SANDBOX_DIR = "/run/agentkernel";
    public static final String HTTP = "http.sock";
    public static final String BUS = "bus.sock";
    public static final String EGRESS = "egress.sock";

    private static final byte[] GREETING_BYTES = "agentkernel-relay 1\n".getBytes(StandardCharsets.US_ASCII);

    /** The first bytes a runner-side relay sends on each accepted connection. */
    public static byte[] greeting() { return GREETING_BYTES.clone(); }

    public static int greetingLength() { return GREETING_BYTES.length; }

    /** Whether {@code bytes} (exactly {@link #greetingLength()} of them) is the greeting. */
    public static boolean isGreeting(byte[] bytes) { return java.util.Arrays.equals(bytes, GREETING_BYTES); }

    /**
     * The longest socket path Java binds or connects: sun_path holds 108 bytes, Linux needs one for the NUL,
     * and the JDK refuses 107 as well ("Unix domain path too long"), measured on JDK 25.
     */
    public static final int MAX_PATH_BYTES = 106;
}
