/**
 * The scripted LLM server used by tests and the offline demo.
 *
 * <p>{@link dev.agentkernel.fakellm.FakeLlmServer} speaks the Anthropic Messages API
 * ({@code POST /v1/messages}) and the OpenAI Chat Completions API ({@code POST /v1/chat/completions})
 * in their real streaming (SSE) and non-streaming formats, so clients built on the official SDKs run
 * their production code path against it. What it answers is chosen by directives in the latest user
 * message:
 * <ul>
 *   <li>no directive: {@code Echo: <message>} in several text deltas;</li>
 *   <li>{@code [[reply: TEXT]]}: exactly TEXT;</li>
 *   <li>{@code [[bash: CMD]]} (repeatable): a short text and one tool call {@code {"command": CMD}} each,
 *       named after the request's bash-like tool (default {@code bash}); a request that ends with tool
 *       results is answered {@code Tool result: <output>} (first 2000 characters);</li>
 *   <li>{@code [[error: STATUS]]}, {@code [[flaky: STATUS N]]}: the provider's error answer, always or for
 *       the first N requests carrying the message (429 and 529 carry {@code retry-after: 0});</li>
 *   <li>{@code [[slow: MS]]}, {@code [[chunks: N]]}, {@code [[think]]}: pacing, N one-word deltas, and a
 *       thinking block first when the request enabled thinking.</li>
 * </ul>
 * No key gives 401, the key {@code bad-key} gives 401 {@code authentication_error}.
 * Run standalone with {@link dev.agentkernel.fakellm.FakeLlmMain} ({@code --port N}).
 */
package dev.agentkernel.fakellm;
