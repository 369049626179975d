package dev.agentkernel.spawn;

import dev.agentkernel.ConfigException;
import dev.agentkernel.protocol.net.ProxyEnv;

import java.util.Map;

/**
 * The corporate proxy of the kernel's environment, as every backend reads it: a URL no client could use (a
 * {@code socks5://} proxy, no host, not a URL) is the user's configuration error, reported as a
 * {@link ConfigException} when the kernel is built, not an {@code IllegalArgumentException} from deep inside a
 * spawn or a runner that exits at start.
 */
public final class HostProxy {
    private HostProxy() {
    }

    /**
     * @param hostEnv the kernel's environment (where {@code HTTP(S)_PROXY}/{@code NO_PROXY} come from)
     * @throws ConfigException naming the variable and the fix when a proxy URL cannot be used
     */
    public static ProxyEnv of(Map<String, String> hostEnv) {
        try {
            return ProxyEnv.of(hostEnv);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage() + ". The kernel forwards the proxy to every agent: fix the"
                    + " variable, or unset it to connect directly.", e);
        }
    }
}
