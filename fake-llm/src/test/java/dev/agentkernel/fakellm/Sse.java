package dev.agentkernel.fakellm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A minimal SSE parser for asserting the exact bytes the server streams. */
record Sse(String event, String data) {

    JsonNode json() {
        try {
            return Json.MAPPER.readTree(data);
        } catch (Exception e) {
            throw new AssertionError("SSE data is not JSON: " + data, e);
        }
    }

    static List<Sse> parse(String body) {
        List<Sse> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            String event = null;
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                } else {
                    throw new AssertionError("unexpected SSE line: " + line);
                }
            }
            events.add(new Sse(event, data.toString()));
        }
        return events;
    }
}
