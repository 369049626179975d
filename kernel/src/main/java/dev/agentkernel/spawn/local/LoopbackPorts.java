package dev.agentkernel.spawn.local;

import dev.agentkernel.AgentKernelException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Picks a free loopback port by binding port 0 and closing; the runner reports a lost race with exit code 3. */
public final class LoopbackPorts {
    private LoopbackPorts() {}

    public static int free() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AgentKernelException("cannot find a free loopback port: " + e.getMessage(), e);
        }
    }
}
