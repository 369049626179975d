package dev.agentkernel.runner.llm;

import com.fasterxml.jackson.databind.JsonNode;

/** Turns an HTTP error from a provider into one line that quotes the provider and says what to do. */
final class ProviderErrors {
    private ProviderErrors() {}

    static LlmException fromStatus(String provider, int status, JsonNode body, String sdkMessage, int retries, Throwable cause) {
        String detail = providerMessage(body, sdkMessage);
        if (status == 401 || status == 403) {
            return new LlmException("the " + provider + " API rejected the API key (HTTP " + status + ": " + detail
                    + "): check " + keyVariables(provider), cause);
        }
        String type = body == null ? "" : body.path("error").path("type").asText("");
        String retried = status == 429 || status == 529 || status == 503 || status >= 500
                ? " (after " + retries + " retries)" : "";
        return new LlmException("the " + provider + " API returned HTTP " + status
                + (type.isEmpty() ? "" : " " + type) + retried + ": " + detail, cause);
    }

    /** With a proxy, the likely culprit is the proxy settings or the sandbox's egress allow-list, not the network. */
    static LlmException unreachable(String provider, String baseUrl, java.net.Proxy proxy, String proxyName, Throwable cause) {
        if (proxy == null) {
            return new LlmException("cannot reach the " + provider + " API" + (baseUrl == null ? "" : " at " + baseUrl)
                    + ": " + rootMessage(cause) + ": check base_url and the network", cause);
        }
        return new LlmException("cannot reach the " + provider + " API" + (baseUrl == null ? "" : " at " + baseUrl)
                + " through " + proxyName + " " + hostPort(proxy.address()) + ": " + rootMessage(cause)
                + (proxyName.contains("egress") ? ": check base_url and that the kernel allows this host"
                : ": check base_url and HTTPS_PROXY/HTTP_PROXY/NO_PROXY"), cause);
    }

    private static String hostPort(java.net.SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress a) {
            return (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString()) + ":" + a.getPort();
        }
        return String.valueOf(address);
    }

    static LlmException unexpected(String provider, Throwable cause) {
        return new LlmException("the " + provider + " call failed: " + rootMessage(cause), cause);
    }

    static String keyVariables(String provider) {
        return "openai".equals(provider) ? "LLM_API_KEY / OPENAI_API_KEY" : "LLM_API_KEY / ANTHROPIC_API_KEY";
    }

    /** Both APIs put the human message at {@code error.message}; fall back to the SDK's text. */
    private static String providerMessage(JsonNode body, String sdkMessage) {
        if (body != null) {
            JsonNode msg = body.path("error").path("message");
            if (msg.isTextual() && !msg.asText().isBlank()) {
                return msg.asText();
            }
            if (body.path("message").isTextual()) {
                return body.path("message").asText();
            }
        }
        return sdkMessage == null ? "no details" : sdkMessage;
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }
}
