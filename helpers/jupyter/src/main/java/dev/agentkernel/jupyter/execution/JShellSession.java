package dev.agentkernel.jupyter.execution;

import dev.agentkernel.helpers.MimeBundle;
import dev.agentkernel.helpers.ShownValues;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;
import jdk.jshell.execution.LocalExecutionControlProvider;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One JShell evaluating notebook cells in this JVM. Local execution (not JShell's remote agent) keeps the
 * helpers on the kernel's class loader, so the {@code Display} the kernel installs is the one helper code
 * sees, and a cell costs no process round trip.
 *
 * <p>Not thread-safe except {@link #stop()}: the kernel evaluates, completes and inspects from its shell
 * thread; an interrupt arrives on the control thread.
 */
public final class JShellSession implements AutoCloseable {
    /** The imports the {@code jshell} tool starts with (its DEFAULT startup); the JShell API adds none. */
    static final List<String> DEFAULT_IMPORTS = List.of(
            "import java.io.*;", "import java.math.*;", "import java.net.*;", "import java.nio.file.*;",
            "import java.util.*;", "import java.util.concurrent.*;", "import java.util.function.*;",
            "import java.util.prefs.*;", "import java.util.regex.*;", "import java.util.stream.*;");
    static final String HELPERS_STARTUP = "dev/agentkernel/helpers/agentkernel.jsh";
    private static final String BRIDGE = ValueBridge.class.getName();
    /** Values shown as text only: fetching the object for HTML rendering costs a second compile. */
    private static final Set<String> PLAIN_TYPES = Set.of("int", "long", "double", "float", "boolean", "char",
            "byte", "short", "String", "java.lang.String", "Integer", "Long", "Double", "Float", "Boolean",
            "Character", "Byte", "Short", "java.lang.Integer", "java.lang.Long", "java.lang.Double",
            "java.lang.Boolean");
    private static final Set<String> STRING_TYPES = Set.of("String", "java.lang.String");

    private final JShell jshell;
    private final SourceCodeAnalysis analysis;
    private final Function<Object, Optional<MimeBundle>> renderer;
    private final AtomicBoolean interrupted = new AtomicBoolean();
    private volatile boolean running;
    /** Snippet id → the cell line where it starts, for snippets of the cell being evaluated. */
    private final Map<String, Integer> snippetLines = new HashMap<>();
    private final List<String> startupProblems = new ArrayList<>();
    private final HelperDocs helperDocs = new HelperDocs();
    private final Magics magics;

    /**
     * @param classPath    what snippets compile against (the kernel's own class path, so helpers resolve)
     * @param out          where JShell itself reports (cells write to {@code System.out} directly)
     * @param renderer     how a result object is shown beyond text, if at all ({@code Rendering::richBundle})
     */
    public JShellSession(List<String> classPath, PrintStream out, Function<Object, Optional<MimeBundle>> renderer) {
        this.renderer = renderer;
        this.jshell = JShell.builder()
                .executionEngine(new LocalExecutionControlProvider(), Map.of())
                .out(out)
                .err(out)
                .in(InputStream.nullInputStream())
                .build();
        classPath.forEach(jshell::addToClasspath);
        this.magics = new Magics(jshell::addToClasspath, System.getenv());
        this.analysis = jshell.sourceCodeAnalysis();
        DEFAULT_IMPORTS.forEach(this::evalStartup);
        helpersStartup().ifPresent(script -> splitSnippets(script).forEach(this::evalStartup));
        warmUp();
    }

    /** One throw-away compile so the user's first cell does not pay for loading and JIT-compiling javac. */
    private void warmUp() {
        for (SnippetEvent event : jshell.eval("String $agentkernelWarmUp = String.valueOf(1 + 1);")) {
            if (event.causeSnippet() == null) jshell.drop(event.snippet());
        }
    }

    /** The class path of this JVM, entry by entry (what a kernel started with {@code -cp} was given). */
    public static List<String> jvmClassPath() {
        String cp = System.getProperty("java.class.path", "");
        return cp.isBlank() ? List.of() : List.of(cp.split(File.pathSeparator));
    }

    /** Start-up snippets that failed (a broken {@code agentkernel.jsh} must not keep the kernel from starting). */
    public List<String> startupProblems() {
        return List.copyOf(startupProblems);
    }

    /**
     * Runs a cell: its blocks in order, snippet by snippet, stopping at the first failure.
     *
     * @return the value of the last snippet when it is an expression
     * @throws CellError for a compile error, an exception, a refused exit call or an interrupt
     */
    public Optional<CellValue> evaluate(String cell) throws CellError {
        List<CodeBlock> blocks;
        try {
            blocks = CellParser.parse(cell);
        } catch (CellSyntaxException e) {
            throw CellError.of("HelpersTagError", e.getMessage());
        }
        for (CodeBlock block : blocks) {
            Optional<ExitGuard.ExitCall> exit = ExitGuard.findExitCall(block.code());
            if (exit.isPresent()) {
                int line = block.firstLine() + CellParser.lineOf(block.code(), exit.get().offset()) - 1;
                throw CellError.of("ExitRefused", exit.get().call() + " on line " + line
                        + " would end the kernel and every agent of this session; nothing in the cell ran."
                        + " Use the notebook's Restart or Shut Down instead.");
            }
        }
        snippetLines.clear();
        ShownValues.clear();
        interrupted.set(false);
        running = true;
        try {
            SnippetEvent last = null;
            for (CodeBlock block : blocks) {
                block = new CodeBlock(magics.run(block.code(), block.firstLine(), System.out), block.firstLine());
                SnippetEvent lastOfBlock = evaluateBlock(block);
                if (lastOfBlock != null) last = lastOfBlock;
            }
            return last == null ? Optional.empty() : valueOf(last);
        } finally {
            running = false;
        }
    }

    /** Stops a running cell (from another thread): busy loops hit JShell's stop checks, waits are interrupted. */
    public void stop() {
        if (!running) return;
        interrupted.set(true);
        jshell.stop();
        // An interrupt that arrives while the snippet is still being compiled finds nothing to stop, and the
        // loop about to start would then run forever: keep stopping until the cell has noticed (it clears
        // `running`, or the next cell clears `interrupted`).
        Thread.ofPlatform().daemon().name("agentkernel-jshell-stop").start(() -> {
            long deadline = System.nanoTime() + STOP_RETRY_WINDOW_NANOS;
            while (running && interrupted.get() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    return;
                }
                if (running && interrupted.get()) jshell.stop();
            }
        });
    }

    /** Whether a cell is being evaluated (compiling or running). */
    boolean running() {
        return running;
    }

    private static final long STOP_RETRY_WINDOW_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

    private SnippetEvent evaluateBlock(CodeBlock block) throws CellError {
        String code = block.code();
        int done = 0;
        SnippetEvent last = null;
        while (done < code.length() && !code.substring(done).isBlank()) {
            String rest = code.substring(done);
            CompletionInfo info = analysis.analyzeCompletion(rest);
            if (info.completeness() == Completeness.EMPTY) break;
            boolean complete = info.completeness().isComplete();
            // stripped, so line 1 of the snippet (what JShell numbers frames and diagnostics by) is its first text
            String source = (complete ? info.source() : rest).stripLeading();
            int consumed = complete ? rest.length() - info.remaining().length() : rest.length();
            int line = block.firstLine() + CellParser.lineOf(code, done + locate(rest, source)) - 1;
            last = evaluateSnippet(source, line);
            done += Math.max(consumed, 1);
        }
        return last;
    }

    private SnippetEvent evaluateSnippet(String source, int line) throws CellError {
        List<SnippetEvent> events = jshell.eval(source);
        if (interrupted.get()) throw interruptedError();
        SnippetEvent main = null;
        for (SnippetEvent event : events) {
            if (event.causeSnippet() == null) {
                main = event;
                snippetLines.put(event.snippet().id(), line);
            }
        }
        for (SnippetEvent event : events) {
            if (event.exception() != null) throw runtimeError(event.exception());
        }
        if (main == null) return null;
        if (main.status() == Snippet.Status.REJECTED) throw compileError(main.snippet(), source, line);
        return main;
    }

    private Optional<CellValue> valueOf(SnippetEvent event) throws CellError {
        Snippet snippet = event.snippet();
        String name;
        if (snippet instanceof ExpressionSnippet expression) {
            name = expression.name();
        } else if (snippet instanceof VarSnippet variable
                && variable.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
            name = variable.name();
        } else {
            return Optional.empty();
        }
        String text = event.value() == null ? "null" : event.value();
        String type = typeName(snippet);
        if (PLAIN_TYPES.contains(type)) {
            // A String a helper already streamed into the cell (ask's answer) is not shown again as Out[].
            if (STRING_TYPES.contains(type) && !ShownValues.isEmpty() && ShownValues.wasShown(fetch(name))) {
                return Optional.empty();
            }
            return Optional.of(new CellValue(text));
        }
        Object value = fetch(name);
        Map<String, String> rich = Map.of();
        try {
            Optional<MimeBundle> bundle = value == null ? Optional.empty() : renderer.apply(value);
            if (bundle.isPresent()) {
                Map<String, String> data = new java.util.LinkedHashMap<>(bundle.get().data());
                String plain = data.remove(MimeBundle.TEXT);
                // a table's aligned text, an image's size line: more useful than the record's toString
                if (plain != null && !plain.isEmpty()) text = plain;
                rich = data;
            }
        } catch (RuntimeException | LinkageError e) {
            rich = Map.of(); // a rendering bug must not lose the value itself
        }
        return Optional.of(new CellValue(text, rich));
    }

    /** The object a snippet variable holds (JShell itself reports values only as strings), or null. */
    private Object fetch(String name) {
        List<SnippetEvent> capture = jshell.eval(BRIDGE + ".capture(" + name + ");");
        Object value = null;
        if (capture.stream().allMatch(e -> e.exception() == null && e.status() != Snippet.Status.REJECTED)) {
            value = ValueBridge.take();
        }
        capture.forEach(e -> jshell.drop(e.snippet()));
        return value;
    }

    private static String typeName(Snippet snippet) {
        if (snippet instanceof VarSnippet variable) return variable.typeName();
        if (snippet instanceof ExpressionSnippet expression) return expression.typeName();
        return "";
    }

    // ---- errors -------------------------------------------------------------------------------------------

    private CellError interruptedError() {
        return CellError.of("Interrupted", "the cell was interrupted; the session and its variables are kept");
    }

    private CellError compileError(Snippet snippet, String source, int firstLine) {
        List<String> lines = new ArrayList<>();
        String first = null;
        for (Diag diag : jshell.diagnostics(snippet).toList()) {
            if (!diag.isError()) continue;
            int pos = (int) Math.max(0, Math.min(diag.getStartPosition(), source.length()));
            int lineInSnippet = CellParser.lineOf(source, pos);
            int lineStart = source.lastIndexOf('\n', pos - 1) + 1;
            int lineEnd = source.indexOf('\n', pos);
            String sourceLine = source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd);
            String where = "line " + (firstLine + lineInSnippet - 1) + ", column " + (pos - lineStart + 1);
            String message = withoutEmptyLocation(diag.getMessage(Locale.ROOT));
            if (first == null) first = where + ": " + message.lines().findFirst().orElse(message);
            lines.add("Compile error at " + where + ": " + message);
            lines.add("    " + sourceLine);
            lines.add("    " + " ".repeat(Math.max(0, pos - lineStart)) + "^");
        }
        if (first == null) {
            first = "line " + firstLine + ": JShell rejected this snippet";
            lines.add("Compile error at " + first);
        }
        return new CellError("CompileError", first, lines);
    }

    /**
     * javac names the class a missing symbol was looked up in; a snippet's class is JShell's synthetic one with
     * an empty name, so the line reads {@code location: class } and says nothing. Such lines are dropped.
     */
    static String withoutEmptyLocation(String message) {
        return message.lines().filter(l -> !l.strip().equals("location: class"))
                .collect(Collectors.joining("\n"));
    }

    private CellError runtimeError(JShellException exception) {
        if (exception instanceof UnresolvedReferenceException unresolved) {
            DeclarationSnippet snippet = unresolved.getSnippet();
            String missing = jshell.unresolvedDependencies(snippet).collect(Collectors.joining(", "));
            return CellError.of("UnresolvedReference", "'" + snippet.name() + "' cannot run until "
                    + (missing.isEmpty() ? "its errors are fixed" : "these are defined: " + missing));
        }
        List<String> traceback = new ArrayList<>();
        String name = exceptionName(exception);
        traceback.add(name + ": " + exception.getMessage());
        traceback.addAll(userFrames(exception));
        Set<Throwable> seen = new LinkedHashSet<>();
        for (Throwable cause = exception.getCause(); cause != null && seen.add(cause); cause = cause.getCause()) {
            traceback.add("Caused by: " + exceptionName(cause) + ": " + cause.getMessage());
            traceback.addAll(userFrames(cause));
        }
        String simple = name.substring(name.lastIndexOf('.') + 1);
        return new CellError(simple, String.valueOf(exception.getMessage()), traceback);
    }

    private static String exceptionName(Throwable t) {
        return t instanceof EvalException eval ? eval.getExceptionClassName() : t.getClass().getName();
    }

    /** Frames of snippet code only: JShell marks them with the file name {@code #<snippet id>}. */
    private List<String> userFrames(Throwable t) {
        List<String> frames = new ArrayList<>();
        for (StackTraceElement frame : t.getStackTrace()) {
            String file = frame.getFileName();
            if (file == null || !file.startsWith("#")) continue;
            String id = file.substring(1);
            Integer cellLine = snippetLines.get(id);
            String method = frame.getMethodName().isEmpty() || frame.getMethodName().equals("do_it$")
                    ? "cell" : frame.getMethodName();
            frames.add(cellLine != null
                    ? "    at " + method + " (line " + (cellLine + frame.getLineNumber() - 1) + ")"
                    : "    at " + method + " (snippet #" + id + ", line " + frame.getLineNumber() + ", an earlier cell)");
        }
        return frames;
    }

    // ---- completion, inspection, is_complete --------------------------------------------------------------

    /** Completions at {@code cursor}: the replacement texts and the range of {@code code} they replace. */
    public record Completions(List<String> matches, int start, int end) {
    }

    public Completions complete(String code, int cursor) {
        Region region = regionAt(code, cursor);
        if (region == null) return new Completions(List.of(), cursor, cursor);
        int[] anchor = new int[1];
        List<String> matches = analysis.completionSuggestions(region.text(), region.cursor(), anchor).stream()
                .sorted((a, b) -> Boolean.compare(b.matchesType(), a.matchesType()))
                .map(SourceCodeAnalysis.Suggestion::continuation)
                .distinct()
                .toList();
        return new Completions(matches, region.offset() + anchor[0], cursor);
    }

    /** Signature and Javadoc of what is at {@code cursor}, or empty. */
    public Optional<String> documentation(String code, int cursor) {
        Region region = regionAt(code, cursor);
        if (region == null) return Optional.empty();
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(region.text(), region.cursor(), true);
        if (docs.isEmpty() && !region.text().startsWith("(", region.cursor())) {
            // inspecting "System.out.println" asks about the method: ask as if the call were being written
            String call = region.text().substring(0, region.cursor()) + "(";
            docs = analysis.documentation(call, call.length(), true);
        }
        if (docs.isEmpty()) return Optional.empty();
        return Optional.of(docs.stream()
                .map(d -> {
                    String javadoc = d.javadoc() == null || d.javadoc().isBlank()
                            ? helperDocs.forSignature(d.signature()).orElse(null) : d.javadoc();
                    return javadoc == null ? d.signature() : d.signature() + "\n\n" + javadoc;
                })
                .collect(Collectors.joining("\n\n")));
    }

    public enum Status { COMPLETE, INCOMPLETE, INVALID }

    /** Whether a console front end should run {@code code} now or keep reading lines. */
    public Status isComplete(String code) {
        if (CellParser.hasHelpersBlocks(code)) {
            if (CellParser.hasUnclosedBlock(code)) return Status.INCOMPLETE;
            try {
                Status worst = Status.COMPLETE;
                for (CodeBlock block : CellParser.parse(code)) {
                    Status status = javaStatus(block.code());
                    if (status.ordinal() > worst.ordinal()) worst = status;
                }
                return worst;
            } catch (CellSyntaxException e) {
                return Status.INVALID;
            }
        }
        return javaStatus(code);
    }

    private Status javaStatus(String code) {
        String rest = code.lines().map(l -> Magics.isMagicLine(l) ? "" : l).collect(Collectors.joining("\n"));
        while (!rest.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case EMPTY -> { return Status.COMPLETE; }
                case COMPLETE, COMPLETE_WITH_SEMI -> {
                    if (info.remaining().length() >= rest.length()) return Status.COMPLETE;
                    rest = info.remaining();
                }
                case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> { return Status.INCOMPLETE; }
                default -> { return Status.INVALID; }
            }
        }
        return Status.COMPLETE;
    }

    /** The snippet text around {@code cursor} (inside the right {@code <helpers>} block), with its offset. */
    private record Region(String text, int offset, int cursor) {
    }

    private Region regionAt(String code, int cursor) {
        cursor = Math.max(0, Math.min(cursor, code.length()));
        int from = 0;
        int to = code.length();
        if (CellParser.hasHelpersBlocks(code)) {
            int open = code.lastIndexOf(CellParser.OPEN_TAG, cursor);
            int closeBefore = code.lastIndexOf(CellParser.CLOSE_TAG, cursor - CellParser.CLOSE_TAG.length());
            if (open < 0 || closeBefore > open || cursor < open + CellParser.OPEN_TAG.length()) return null;
            from = open + CellParser.OPEN_TAG.length();
            int close = code.indexOf(CellParser.CLOSE_TAG, from);
            to = close < 0 ? code.length() : close;
        }
        int pos = from;
        while (pos < cursor) {
            String rest = code.substring(pos, to);
            CompletionInfo info = analysis.analyzeCompletion(rest);
            if (!info.completeness().isComplete()) break;
            int consumed = rest.length() - info.remaining().length();
            if (consumed <= 0 || pos + consumed >= cursor) break;
            pos += consumed;
        }
        return new Region(code.substring(pos, to), pos, cursor - pos);
    }

    // ---- start-up -----------------------------------------------------------------------------------------

    private static Optional<String> helpersStartup() {
        ClassLoader loader = JShellSession.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(HELPERS_STARTUP)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Splits a start-up script into snippets, skipping JShell tool commands ({@code /set ...}). */
    private List<String> splitSnippets(String script) {
        String java = script.lines()
                .map(l -> l.stripLeading().startsWith("/") && !l.stripLeading().startsWith("//")
                        && !l.stripLeading().startsWith("/*") ? "" : l)
                .collect(Collectors.joining("\n"));
        List<String> snippets = new ArrayList<>();
        String rest = java;
        while (!rest.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            if (info.completeness() == Completeness.EMPTY) break;
            if (!info.completeness().isComplete()) {
                snippets.add(rest);
                break;
            }
            snippets.add(info.source());
            if (info.remaining().length() >= rest.length()) break;
            rest = info.remaining();
        }
        return snippets;
    }

    private void evalStartup(String snippet) {
        for (SnippetEvent event : jshell.eval(snippet)) {
            if (event.causeSnippet() != null) continue;
            if (event.status() == Snippet.Status.REJECTED || event.exception() != null) {
                startupProblems.add(snippet.strip() + " -> " + (event.exception() != null
                        ? event.exception().getMessage()
                        : jshell.diagnostics(event.snippet()).map(d -> d.getMessage(Locale.ROOT)).collect(Collectors.joining("; "))));
            }
        }
    }

    /**
     * Where {@code source} (as analyzeCompletion returned it) starts within {@code rest}: the source may or may
     * not keep the leading blank lines, so align on its first real text.
     */
    private static int locate(String rest, String source) {
        String probe = source.strip();
        if (probe.endsWith(";")) probe = probe.substring(0, probe.length() - 1);
        probe = probe.substring(0, Math.min(probe.length(), 24));
        int inRest = probe.isEmpty() ? -1 : rest.indexOf(probe);
        int inSource = probe.isEmpty() ? -1 : source.indexOf(probe);
        return inRest >= 0 && inSource >= 0 ? Math.max(0, inRest - inSource) : 0;
    }

    @Override
    public void close() {
        jshell.close();
    }
}
