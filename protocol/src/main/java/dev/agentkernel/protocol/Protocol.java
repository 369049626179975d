package dev.agentkernel.protocol;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Names shared by the kernel and the runner: paths, SSE event names, the JSON mapper. See protocol.md. */
public final class Protocol {
    private Protocol() {}

    public static final int VERSION = 1;

    public static final String PATH_HEALTH = "/health";
    public static final String PATH_TURN = "/turn";
    public static final String PATH_CANCEL = "/cancel";
    public static final String PATH_HISTORY = "/history";
    public static final String PATH_INFO = "/info";

    public static final String EVENT_TEXT = "text";
    public static final String EVENT_THINKING = "thinking";
    public static final String EVENT_TOOL_USE = "tool_use";
    public static final String EVENT_TOOL_RESULT = "tool_result";
    public static final String EVENT_ERROR = "error";
    public static final String EVENT_DONE = "done";

    /** How often the runner writes an SSE comment on a turn stream that is otherwise silent (a long tool run). */
    public static final java.time.Duration SSE_KEEP_ALIVE = java.time.Duration.ofSeconds(5);

    /** Runner exit code when its HTTP port was taken between the kernel's choice and the bind: the spawner retries. */
    public static final int EXIT_PORT_IN_USE = 3;
    /** Runner exit code for a config file that is missing required fields or is not valid JSON. */
    public static final int EXIT_BAD_CONFIG = 2;

    /** The file name, inside an agent's directory, of its append-only conversation log. */
    public static final String HISTORY_FILE = "history.jsonl";
    /** The file name, inside an agent's directory, of its AgentBus log (agents spawned with the bus). */
    public static final String AGENTBUS_FILE = "agentbus.jsonl";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** A shared, thread-safe mapper; callers must not reconfigure it. */
    public static ObjectMapper json() {
        return MAPPER;
    }
}
