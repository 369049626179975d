package dev.agentkernel.fakellm.junit;

import dev.agentkernel.fakellm.FakeLlmServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.Socket;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The extension starts a reachable server per class (static field) and shares it with a @BeforeAll parameter. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FakeLlmExtensionTest {
    @FakeLlm static FakeLlmServer shared;
    static FakeLlmServer fromBeforeAll;
    static final Set<Integer> seenPorts = new HashSet<>();

    @BeforeAll
    static void start(@FakeLlm FakeLlmServer llm) {
        fromBeforeAll = llm;
    }

    @AfterAll
    static void serversAreClosedByJUnit() {
        // the class store closes after @AfterAll; this only checks what the tests saw
        assertEquals(1, seenPorts.size(), "every test saw the class's one server: " + seenPorts);
    }

    @Test
    @Order(1)
    void theStaticFieldHoldsAStartedServer() throws IOException {
        assertNotNull(shared);
        assertSame(shared, fromBeforeAll, "the @BeforeAll parameter is the class's server");
        try (Socket s = new Socket("127.0.0.1", shared.port())) {
            assertTrue(s.isConnected());
        }
        seenPorts.add(shared.port());
    }

    @Test
    @Order(2)
    void aTestParameterSharesTheClassServer(@FakeLlm FakeLlmServer llm) {
        assertSame(shared, llm);
        seenPorts.add(llm.port());
    }
}
