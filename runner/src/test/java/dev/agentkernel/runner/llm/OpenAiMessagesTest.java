package dev.agentkernel.runner.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.runner.model.ChatMessage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.agentkernel.runner.RunnerClient.json;
import static org.junit.jupiter.api.Assertions.*;

class OpenAiMessagesTest {
    @Test
    void anthropicBlocksBecomeChatCompletionsMessages() {
        List<ChatMessage> conversation = List.of(
                ChatMessage.userText("list files"),
                ChatMessage.fromJson(json("""
                        {"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"},
                         {"type":"text","text":"Sure."},{"type":"tool_use","id":"c1","name":"bash","input":{"command":"ls"}}]}""")),
                ChatMessage.fromJson(json("""
                        {"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":[{"type":"text","text":"a.txt"}]},
                         {"type":"text","text":"and now?"}]}""")));
        List<ObjectNode> chat = OpenAiMessages.toChat("sys", conversation);
        assertEquals(5, chat.size());
        assertEquals(json("{\"role\":\"system\",\"content\":\"sys\"}"), chat.get(0));
        assertEquals(json("{\"role\":\"user\",\"content\":\"list files\"}"), chat.get(1));
        assertEquals(json("""
                {"role":"assistant","content":"Sure.","tool_calls":[{"id":"c1","type":"function",
                 "function":{"name":"bash","arguments":"{\\"command\\":\\"ls\\"}"}}]}"""), chat.get(2));
        assertEquals(json("{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"a.txt\"}"), chat.get(3));
        assertEquals(json("{\"role\":\"user\",\"content\":\"and now?\"}"), chat.get(4));
    }

    @Test
    void brokenArgumentsAreKeptForTheModelToSee() {
        assertEquals("ls", OpenAiMessages.parseArguments("{\"command\":\"ls\"}").path("command").asText());
        assertEquals("{\"command\":", OpenAiMessages.parseArguments("{\"command\":").path("_unparsed_arguments").asText());
        assertTrue(OpenAiMessages.parseArguments("").isEmpty());
    }

    @Test
    void finishReasonsUseTheProtocolsNames() {
        assertEquals("end_turn", OpenAiMessages.stopReason("stop", false));
        assertEquals("tool_use", OpenAiMessages.stopReason("tool_calls", true));
        assertEquals("max_tokens", OpenAiMessages.stopReason("length", false));
        assertEquals("tool_use", OpenAiMessages.stopReason(null, true));
    }

    @Test
    void thinkingLevelsAreValidatedWithTheValidNames() {
        assertEquals(ThinkingLevel.MEDIUM, ThinkingLevel.parse("Medium"));
        assertEquals(0, ThinkingLevel.parse(null).budgetTokens());
        LlmException e = assertThrows(LlmException.class, () -> ThinkingLevel.parse("max"));
        assertEquals("unknown thinking_level 'max': use one of [none, low, medium, high]", e.getMessage());
    }
}
