package dev.agentkernel.fakellm.junit;

import dev.agentkernel.fakellm.FakeLlmServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** An instance {@code @FakeLlm} field gets a fresh server per test, and JUnit closes it when that test ends. */
class FakeLlmPerTestExtensionTest {
    static final List<Integer> ports = new ArrayList<>();
    @FakeLlm FakeLlmServer llm;

    @Test
    void first() throws IOException {
        reach();
    }

    @Test
    void second() throws IOException {
        reach();
    }

    private void reach() throws IOException {
        try (Socket s = new Socket("127.0.0.1", llm.port())) {
            assertTrue(s.isConnected());
        }
        ports.add(llm.port());
    }

    @AfterAll
    static void eachTestHadItsOwnServerAndItIsClosed() {
        assertEquals(2, ports.size());
        assertNotEquals(ports.get(0), ports.get(1), "one server per test");
        for (int port : ports) {
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "closed after its test: " + port);
        }
    }
}
