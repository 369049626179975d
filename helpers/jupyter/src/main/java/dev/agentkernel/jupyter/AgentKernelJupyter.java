package dev.agentkernel.jupyter;

import dev.agentkernel.helpers.Interrupts;
import dev.agentkernel.helpers.Session;
import dev.agentkernel.jupyter.display.CellOutput;
import dev.agentkernel.cells.CellError;
import dev.agentkernel.cells.CellValue;
import dev.agentkernel.cells.JShellSession;
import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishError;
import io.github.spencerpark.jupyter.messages.publish.PublishExecuteInput;
import io.github.spencerpark.jupyter.messages.publish.PublishExecuteResult;
import io.github.spencerpark.jupyter.messages.reply.ErrorReply;
import io.github.spencerpark.jupyter.messages.reply.ExecuteReply;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The AgentKernel Jupyter kernel: cells are Java (or {@code <helpers>} blocks) run by JShell in this JVM.
 *
 * <p>Execution is handled here rather than by the basekernel's default handler so that output streams while
 * the cell runs (see {@link CellOutput}) and errors carry the user's exception name, not a wrapper's.
 */
public final class AgentKernelJupyter extends BaseKernel implements AutoCloseable {
    public static final String KERNEL_NAME = "agentkernel";
    public static final String DISPLAY_NAME = "AgentKernel (Java)";

    private final CellOutput output;
    private final CompletableFuture<JShellSession> session = new CompletableFuture<>();
    private final HistoryLog history = new HistoryLog();
    private final Object executeLock = new Object();
    /**
     * {@code .jshell}, as IJava/JJava say and the notebooks' metadata already did: a cell is JShell input
     * (snippets, top-level statements), not a {@code .java} compilation unit.
     */
    static final String FILE_EXTENSION = ".jshell";
    private final LanguageInfo languageInfo = new LanguageInfo("java", Runtime.version().toString(),
            "text/x-java-source", FILE_EXTENSION, "java", "text/x-java", "script");

    /**
     * JShell starts in the background right after the first {@code kernel_info} reply (or at the first request
     * that needs it, whichever comes first): started earlier it competes with the JVM's own start-up for the
     * CPUs and delays the reply a frontend waits for; started then it is ready (its compiler warm) while the
     * user types the first cell. The first request that needs JShell waits for it.
     */
    public AgentKernelJupyter(CellOutput output, Supplier<JShellSession> sessionFactory) {
        this.output = output;
        this.sessionFactory = sessionFactory;
        setShouldReplaceStdStreams(false); // System.out/err are captured once for the whole process
    }

    private final Supplier<JShellSession> sessionFactory;

    /** Starts JShell once, on its own thread; later calls return the same future. */
    CompletableFuture<JShellSession> startSession() {
        if (!sessionStarted.getAndSet(true)) {
            Thread t = new Thread(() -> {
                try {
                    CellTrace.milestone("jshell-start");
                    JShellSession started = sessionFactory.get();
                    CellTrace.milestone("jshell-ready");
                    session.complete(started);
                } catch (Throwable e) {
                    session.completeExceptionally(e);
                }
            }, "agentkernel-jshell-start");
            t.setDaemon(true);
            t.start();
        }
        return session;
    }

    private final java.util.concurrent.atomic.AtomicBoolean sessionStarted = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void becomeHandlerForConnection(JupyterConnection connection) {
        super.becomeHandlerForConnection(connection);
        output.attach(connection.getIOPub());
        connection.setHandler(MessageType.EXECUTE_REQUEST, this::execute);
        connection.setHandler(MessageType.HISTORY_REQUEST, this::history);
        connection.setHandler(MessageType.KERNEL_INFO_REQUEST, (env, message) -> {
            env.setBusyDeferIdle();
            env.reply(new KernelInfo(implementationVersion(), getLanguageInfo(), getBanner(), getHelpLinks()));
            CellTrace.milestone("kernel_info-reply");
            startSession();
        });
    }

    /**
     * history_reply, built as plain JSON content: the basekernel's own reply lacks {@code status} and its
     * outgoing Gson has no adapter for history entries (they would go out as objects, not the spec's
     * {@code [session, line, input]} arrays).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void history(ShellReplyEnvironment env, Message<HistoryRequest> message) {
        env.setBusyDeferIdle();
        List<Object> entries = history.answer(message.getContent()).stream()
                .map(e -> (Object) List.of(e.getSession(), e.getCellNumber(),
                        e.hasOutput() ? List.of(e.getInput(), e.getOutput()) : e.getInput()))
                .toList();
        Map<String, Object> content = Map.of("status", "ok", "history", entries);
        env.reply(new Message(message, (MessageType) MessageType.HISTORY_REPLY, content));
    }

    static String implementationVersion() {
        String version = AgentKernelJupyter.class.getPackage().getImplementationVersion();
        return version == null ? "0.1.0-SNAPSHOT" : version;
    }

    private void execute(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        CellTrace trace = CellTrace.cell();
        synchronized (executeLock) {
            ExecuteRequest request = message.getContent();
            commManager.setMessageContext(message);
            boolean store = request.shouldStoreHistory() && !request.isSilent();
            int count = store ? executionCount.getAndIncrement() : executionCount.get();
            env.setBusyDeferIdle();
            env.publish(new PublishExecuteInput(request.getCode(), count));
            String resultText = "";
            try {
                JShellSession jshell = session(); // first: start-up output must not land in this cell
                CellTrace.mark(trace, "session");
                output.beginCell(message);
                Optional<CellValue> value = jshell.evaluate(request.getCode());
                CellTrace.mark(trace, "evaluated");
                output.flush();
                if (value.isPresent() && !request.isSilent()) {
                    DisplayData data = new DisplayData(value.get().text());
                    value.get().rich().forEach(data::putData);
                    env.publish(new PublishExecuteResult(count, data));
                    resultText = value.get().text();
                }
                CellTrace.mark(trace, "result-sent");
                env.reply(new ExecuteReply(count, Map.of()));
                CellTrace.mark(trace, "replied");
            } catch (CellError e) {
                replyError(env, count, e.name(), e.getMessage(), e.traceback());
            } catch (RuntimeException | LinkageError e) {
                replyError(env, count, "KernelError", String.valueOf(e.getMessage()),
                        List.of("KernelError: " + e + " (the session is kept; report this if it repeats)"));
            }
            if (store) history.add(count, request.getCode(), resultText);
        }
        CellTrace.end(trace);
    }

    private void replyError(ShellReplyEnvironment env, int count, String name, String message, List<String> traceback) {
        output.flush();
        env.publish(new PublishError(name, message, traceback));
        ErrorReply reply = new ErrorReply(name, message, traceback);
        reply.setExecutionCount(count);
        env.replyError(ExecuteReply.MESSAGE_TYPE.error(), reply);
    }

    private JShellSession session() {
        try {
            return startSession().join();
        } catch (CompletionException e) {
            throw new IllegalStateException("JShell could not start: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public DisplayData eval(String code) throws Exception {
        // Only reached if something bypasses execute(); keep it correct anyway.
        try {
            return session().evaluate(code).map(v -> new DisplayData(v.text())).orElse(null);
        } catch (CellError e) {
            throw new RuntimeException(e.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        JShellSession.Completions completions = session().complete(code, at);
        return new ReplacementOptions(completions.matches(), completions.start(), completions.end());
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        return session().documentation(code, at).map(DisplayData::new).orElse(null);
    }

    @Override
    public String isComplete(String code) {
        return switch (session().isComplete(code)) {
            case COMPLETE -> IS_COMPLETE_YES;
            case INVALID -> IS_COMPLETE_BAD;
            case INCOMPLETE -> ""; // incomplete, no extra indent
        };
    }

    /** interrupt_request: stop the cell first (so it reports "Interrupted"), then cancel running turns. */
    @Override
    public void interrupt() {
        if (session.isDone() && !session.isCompletedExceptionally()) session.join().stop();
        Interrupts.interruptAll();
    }

    /** shutdown_request (also on restart): the session's agents die with it. */
    @Override
    public void onShutdown(boolean isRestarting) {
        close();
    }

    @Override
    public void close() {
        Interrupts.interruptAll();
        Session.closeAll();
        if (session.isDone() && !session.isCompletedExceptionally()) session.join().close();
        output.flush();
    }

    @Override
    public HistoryManager getHistoryManager() {
        return history;
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return languageInfo;
    }

    @Override
    public String getBanner() {
        return DISPLAY_NAME + " on Java " + Runtime.version() + "\n"
                + "Cells are Java run by JShell; the AgentKernel helpers are imported.\n"
                + "Text with <helpers> ... </helpers> blocks runs only the blocks.\n"
                + dev.agentkernel.helpers.Helpers.banner();
    }

    @Override
    public List<LanguageInfo.Help> getHelpLinks() {
        return List.of(
                new LanguageInfo.Help("Java API", "https://docs.oracle.com/en/java/javase/21/docs/api/"),
                new LanguageInfo.Help("JShell", "https://docs.oracle.com/en/java/javase/21/jshell/"));
    }
}
