package dev.agentkernel.client;

import dev.agentkernel.testrunner.MiniRunner;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The kernel's runner connections are cleartext only, so a kernel never pays for the JDK's trust store. */
class RunnerConnectionsTest {

    @Test
    void clientsAreCleartextOnlyAndHaveNoTlsSetUp() {
        OkHttpClient client = RunnerConnections.builder(new ConnectionPool()).build();
        assertEquals(List.of(ConnectionSpec.CLEARTEXT), client.connectionSpecs());
        assertThrows(IllegalStateException.class, client::sslSocketFactory, "a TLS-capable client builds the trust store");
        assertEquals(List.of(ConnectionSpec.CLEARTEXT), client.newBuilder().build().connectionSpecs(), "derived clients keep it");
    }

    @Test
    void anHttpsEndpointIsATypedErrorNamingTheFix() {
        dev.agentkernel.spawn.AgentEndpoint endpoint = new dev.agentkernel.spawn.AgentEndpoint("id-1", "worker",
                java.net.URI.create("https://127.0.0.1:8443"), () -> true);
        dev.agentkernel.AgentUnreachableException e = assertThrows(dev.agentkernel.AgentUnreachableException.class,
                () -> HttpAgentClient.url(endpoint, dev.agentkernel.protocol.Protocol.PATH_TURN));
        assertTrue(e.getMessage().contains("'worker'") && e.getMessage().contains("https://127.0.0.1:8443")
                && e.getMessage().contains("http://"), e.getMessage());
        assertEquals("http://127.0.0.1:8443/turn", HttpAgentClient.url(new dev.agentkernel.spawn.AgentEndpoint("id-1", "worker",
                java.net.URI.create("http://127.0.0.1:8443"), () -> true), dev.agentkernel.protocol.Protocol.PATH_TURN).toString());
    }

    /**
     * A fresh JVM builds a kernel, spawns, asks and kills: the class-load log must show the kernel's agent client at
     * work and no TLS context or trust store (which cost 225 ms of a cold {@code build()}).
     */
    @Test
    void aKernelsPathToItsFirstAnswerNeverLoadsTheTrustStore(@TempDir Path tmp) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(javaBin, "-Xlog:class+load=info:stdout", "-cp", System.getProperty("java.class.path"),
                TrustStoreProbe.class.getName(), tmp.resolve("state").toString(), MiniRunner.script(tmp).toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe did not exit");
        assertEquals(0, p.exitValue(), () -> tail(out));
        assertTrue(out.contains("answer: Echo: hi"), () -> "the probe got no answer: " + tail(out));
        assertTrue(out.contains("dev.agentkernel.client.HttpAgentClient "), "the class-load log is not there");
        assertTrue(out.contains("okhttp3.internal.connection.RealConnection "), "no connection was made");
        for (String tls : List.of("sun.security.ssl.SSLContextImpl ", "sun.security.ssl.TrustStoreManager ", "javax.net.ssl.TrustManagerFactory ")) {
            assertFalse(out.contains(tls), tls.strip() + " was loaded: something in the kernel set up TLS for a plain-HTTP runner");
        }
    }

    private static String tail(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }
}
