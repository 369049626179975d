package dev.agentkernel.runner.bus;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LlmVoterTest {
    @Test
    void readsAVerdictAndItsReason() {
        Vote yes = LlmVoter.parse("APPROVE: it only lists files");
        assertTrue(yes.approve());
        assertEquals("it only lists files", yes.reason());
        Vote no = LlmVoter.parse("**REJECT** deletes the home directory");
        assertFalse(no.approve());
        assertEquals("deletes the home directory", no.reason());
        assertEquals("llm", no.voter());
    }

    @Test
    void anAnswerWithoutAVerdictIsAReject() {
        Vote v = LlmVoter.parse("I think this is probably fine?");
        assertFalse(v.approve());
        assertTrue(v.reason().contains("no APPROVE/REJECT verdict"), v.reason());
    }
}
