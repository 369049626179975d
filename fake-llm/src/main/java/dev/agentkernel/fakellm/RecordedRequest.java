package dev.agentkernel.fakellm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One request the fake LLM received, kept so tests can assert what the client really sent.
 *
 * @param method  HTTP method, e.g. {@code POST}
 * @param path    request path without query, e.g. {@code /v1/messages}
 * @param headers header names in lower case; repeated headers are joined with {@code ", "}
 * @param body    the parsed JSON body; {@code NullNode} when the body was empty,
 *                a {@code TextNode} holding the raw text when it was not JSON
 */
public record RecordedRequest(String method, String path, Map<String, String> headers, JsonNode body) {
    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    /** The header value (name in any case), or null when absent. */
    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
