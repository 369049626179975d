package dev.agentkernel.packaging.oci;

import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import dev.agentkernel.AgentKernelException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * One line for a failed build: what the registry said (Jib's exceptions carry its error text), plus what to do.
 * The job's {@code error} is read by people and LLMs, so no stack traces and no wrapper noise like
 * "java.util.concurrent.ExecutionException: ...".
 */
final class JibFailures {
    private JibFailures() {}

    static String describe(Throwable failure, String target) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) chain.add(t);

        for (Throwable t : chain) {
            if (t instanceof RegistryUnauthorizedException u) {
                return "registry refused " + target + " (401 unauthorized): " + registryText(u)
                        + "; log in with docker login (credentials in ~/.docker/config.json) or set the registry username/password";
            }
        }
        for (Throwable t : chain) {
            if (t instanceof InsecureRegistryException) {
                return "registry for " + target + " has no valid TLS: " + t.getMessage()
                        + "; set insecure_registry: true only if you trust the network to it";
            }
        }
        for (Throwable t : chain) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException
                    || t.getClass().getSimpleName().equals("HttpHostConnectException")) {
                return "cannot reach the registry for " + target + ": " + oneLine(t)
                        + "; check registry_url and that the registry is running";
            }
        }
        for (Throwable t : chain) {
            if (t instanceof RegistryException) {
                String hint = String.valueOf(t.getMessage()).contains("manifest unknown")
                        ? "; check that the image exists (a base image is built by scripts/build_base_image.sh)" : "";
                return "registry error for " + target + ": " + oneLine(t) + hint;
            }
        }
        for (Throwable t : chain) {
            if (t instanceof AgentKernelException) return oneLine(t);
        }
        Throwable root = chain.getLast();
        for (Throwable t : chain) {
            if (!(t instanceof ExecutionException) && t.getMessage() != null) {
                root = t;
                break;
            }
        }
        return "building " + target + " failed: " + oneLine(root);
    }

    private static String registryText(RegistryUnauthorizedException u) {
        // The cause is the HTTP response; its message holds the status line and the registry's JSON error body.
        String text = u.getMessage();
        if (u.getCause() != null && u.getCause().getMessage() != null) text = text + " (" + u.getCause().getMessage() + ")";
        return oneLine(text);
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage();
        return oneLine(m == null || m.isBlank() ? t.getClass().getSimpleName() : m);
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
