package dev.agentkernel.fakellm;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code [[...]]} instructions found in the latest user message (docs/architecture.md,
 * "Scripted LLM server directives"). Absent directives are null / empty / false.
 *
 * @param reply        {@code [[reply: TEXT]]}: answer exactly TEXT
 * @param bashCommands {@code [[bash: CMD]]}, in order of appearance: one tool call each
 * @param errorStatus  {@code [[error: STATUS]]}
 * @param flakyStatus  {@code [[flaky: STATUS N]]} status, with {@link #flakyCount} = N
 * @param slowMillis   {@code [[slow: MS]]}: pause before every streamed delta
 * @param chunks       {@code [[chunks: N]]}: N one-word text deltas
 * @param think        {@code [[think]]}: stream thinking first when the request enabled it
 * @param plainText    the message with every directive removed, trimmed (what the echo repeats)
 */
record Directives(
        String reply,
        List<String> bashCommands,
        Integer errorStatus,
        Integer flakyStatus,
        int flakyCount,
        long slowMillis,
        Integer chunks,
        boolean think,
        String plainText) {

    // Non-greedy up to the first "]]" so TEXT and CMD may contain single brackets and newlines.
    private static final Pattern REPLY = Pattern.compile("\\[\\[reply:\\s?(.*?)]]", Pattern.DOTALL);
    private static final Pattern BASH = Pattern.compile("\\[\\[bash:\\s*(.*?)\\s*]]", Pattern.DOTALL);
    private static final Pattern ERROR = Pattern.compile("\\[\\[error:\\s*(\\d{1,3})\\s*]]");
    private static final Pattern FLAKY = Pattern.compile("\\[\\[flaky:\\s*(\\d{1,3})\\s+(\\d{1,6})\\s*]]");
    private static final Pattern SLOW = Pattern.compile("\\[\\[slow:\\s*(\\d{1,7})\\s*]]");
    private static final Pattern CHUNKS = Pattern.compile("\\[\\[chunks:\\s*(\\d{1,7})\\s*]]");
    private static final Pattern THINK = Pattern.compile("\\[\\[think]]");
    private static final Pattern ANY = Pattern.compile(
            "\\[\\[(?:reply|bash|error|flaky|slow|chunks):.*?]]|\\[\\[think]]", Pattern.DOTALL);

    static final int MAX_CHUNKS = 1_000_000;

    Directives {
        bashCommands = List.copyOf(bashCommands);
    }

    static Directives parse(String message) throws BadRequestException {
        String text = message == null ? "" : message;
        String reply = firstGroup(REPLY, text);
        List<String> bash = new ArrayList<>();
        Matcher m = BASH.matcher(text);
        while (m.find()) {
            bash.add(m.group(1));
        }
        Integer error = intGroup(ERROR, text, 1);
        if (error != null) {
            requireErrorStatus(error, "[[error: " + error + "]]");
        }
        Integer flakyStatus = intGroup(FLAKY, text, 1);
        int flakyCount = 0;
        if (flakyStatus != null) {
            requireErrorStatus(flakyStatus, "[[flaky: " + flakyStatus + " N]]");
            flakyCount = intGroup(FLAKY, text, 2);
        }
        Integer slow = intGroup(SLOW, text, 1);
        Integer chunks = intGroup(CHUNKS, text, 1);
        if (chunks != null && chunks > MAX_CHUNKS) {
            throw new BadRequestException("[[chunks: " + chunks + "]] is too many; use at most " + MAX_CHUNKS);
        }
        boolean think = THINK.matcher(text).find();
        String plain = ANY.matcher(text).replaceAll("").strip().replaceAll("\\s{2,}", " ");
        return new Directives(reply, bash, error, flakyStatus, flakyCount, slow == null ? 0 : slow, chunks, think, plain);
    }

    private static void requireErrorStatus(int status, String directive) throws BadRequestException {
        if (status < 400 || status > 599) {
            throw new BadRequestException(directive + " needs an HTTP error status between 400 and 599, e.g. [[error: 429]]");
        }
    }

    private static String firstGroup(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static Integer intGroup(Pattern p, String text, int group) {
        Matcher m = p.matcher(text);
        return m.find() ? Integer.valueOf(m.group(group)) : null;
    }
}
