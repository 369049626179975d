package dev.agentkernel.cells;

import dev.agentkernel.helpers.MimeBundle;
import dev.agentkernel.helpers.ShownValues;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.VarSnippet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Runs a cell (jdk.jshell's eval loop, cell-aware): parses its {@code <helpers>} blocks, refuses exit calls, runs
 * magics, feeds JShell one snippet at a time, and turns the last expression into a {@link CellValue}.
 *
 * <p>Not thread-safe except {@link #stop()}, which comes from another thread.
 */
final class CellEvaluator {
    private static final String BRIDGE = ValueBridge.class.getName();
    /** Values shown as text only: fetching the object for HTML rendering costs a second compile. */
    private static final Set<String> PLAIN_TYPES = Set.of("int", "long", "double", "float", "boolean", "char",
            "byte", "short", "String", "java.lang.String", "Integer", "Long", "Double", "Float", "Boolean",
            "Character", "Byte", "Short", "java.lang.Integer", "java.lang.Long", "java.lang.Double",
            "java.lang.Boolean");
    private static final Set<String> STRING_TYPES = Set.of("String", "java.lang.String");
    private static final long STOP_RETRY_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final JShell jshell;
    private final SourceCodeAnalysis analysis;
    private final CellErrors errors;
    private final Magics magics;
    private final Function<Object, Optional<MimeBundle>> renderer;
    private final AtomicBoolean interrupted = new AtomicBoolean();
    private volatile boolean running;

    CellEvaluator(JShell jshell, CellErrors errors, Magics magics, Function<Object, Optional<MimeBundle>> renderer) {
        this.jshell = jshell;
        this.analysis = jshell.sourceCodeAnalysis();
        this.errors = errors;
        this.magics = magics;
        this.renderer = renderer;
    }

    Optional<CellValue> evaluate(String cell) throws CellError {
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
        errors.newCell();
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

    void stop() {
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

    boolean running() {
        return running;
    }

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
        if (interrupted.get()) throw CellErrors.interrupted();
        SnippetEvent main = null;
        for (SnippetEvent event : events) {
            if (event.causeSnippet() == null) {
                main = event;
                errors.snippetAt(event.snippet().id(), line);
            }
        }
        for (SnippetEvent event : events) {
            if (event.exception() != null) throw errors.runtimeError(event.exception());
        }
        if (main == null) return null;
        if (main.status() == Snippet.Status.REJECTED) throw errors.compileError(main.snippet(), source, line);
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
            // JShell keeps every expression's temporary ($1, $2, ...) and compiles each later snippet with an
            // import of every one of them, so a notebook that evaluates `1+1` 250 times compiles ever bigger
            // wrappers (warm p50 28.7 ms early in a session, 50.5 ms after a few hundred cells, README). A plain
            // value is fully shown as text: its temporary is dropped, no notebook here refers to $N.
            if (snippet instanceof VarSnippet temp && temp.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
                jshell.drop(temp);
            }
            return Optional.of(new CellValue(text));
        }
        return Optional.of(rendered(fetch(name), text));
    }

    /** The value as the renderer shows it; its text form when the renderer has nothing or fails. */
    private CellValue rendered(Object value, String text) {
        Map<String, String> rich = Map.of();
        try {
            Optional<MimeBundle> bundle = value == null ? Optional.empty() : renderer.apply(value);
            if (bundle.isPresent()) {
                Map<String, String> data = new LinkedHashMap<>(bundle.get().data());
                String plain = data.remove(MimeBundle.TEXT);
                // a table's aligned text, an image's size line: more useful than the record's toString
                if (plain != null && !plain.isEmpty()) text = plain;
                rich = data;
            }
        } catch (RuntimeException | LinkageError e) {
            rich = Map.of(); // a rendering bug must not lose the value itself
        }
        return new CellValue(text, rich);
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
}
