package dev.agentkernel.helpers;

import dev.agentkernel.AgentKernelException;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The scripted LLM server ({@code dev.agentkernel.fakellm.FakeLlmServer}) started in this JVM, for running
 * notebooks and sessions without an API key. It is looked up by name because the fake-llm jar is a
 * development tool: present on the notebook kernel's class path, not a dependency of the helpers.
 * Closing it stops the server and points {@code openclaw(...)} back at the environment's LLM.
 */
public final class ScriptedLlm implements AutoCloseable {
    static final String SERVER_CLASS = "dev.agentkernel.fakellm.FakeLlmServer";
    /** Any key but "bad-key" is accepted by the scripted server; it must not be empty. */
    static final String OFFLINE_KEY = "offline-key";

    private final AutoCloseable server;
    private final String baseUrl;

    private ScriptedLlm(AutoCloseable server, String baseUrl) {
        this.server = server;
        this.baseUrl = baseUrl;
    }

    /** The server {@link Helpers#scriptedLlm()} started last, until it is closed. */
    private static ScriptedLlm current;
    private volatile boolean closed;

    /** The running server if there is one (pointing {@code openclaw(...)} at it again), else a new one. */
    static synchronized ScriptedLlm startOrReuse() {
        if (current != null && !current.closed) {
            Helpers.useLlm(current.baseUrl, OFFLINE_KEY);
            return current;
        }
        current = start();
        return current;
    }

    /** Starts the server on a free loopback port and makes later {@code openclaw(...)} infos use it. */
    static ScriptedLlm start() {
        Class<?> type;
        try {
            type = Class.forName(SERVER_CLASS, true, ScriptedLlm.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AgentKernelException("The scripted LLM server (" + SERVER_CLASS + ") is not on the class path; "
                    + "add agentkernel-fake-llm.jar to it, or set LLM_API_KEY to use a real LLM", e);
        }
        try {
            AutoCloseable server = (AutoCloseable) outsideTheCell(() -> type.getMethod("start", int.class).invoke(null, 0));
            String baseUrl = (String) type.getMethod("anthropicBaseUrl").invoke(server);
            Helpers.useLlm(baseUrl, OFFLINE_KEY);
            return new ScriptedLlm(server, baseUrl);
        } catch (InvocationTargetException e) {
            throw Futures.unwrap(e.getCause());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new AgentKernelException("Cannot start " + SERVER_CLASS + " (" + e + "); the fake-llm jar does not "
                    + "match this helpers version", e);
        }
    }

    /**
     * Runs {@code start} on a thread of the JVM's root thread group, so the server's threads (its dispatcher, its idle
     * timer) belong to the session rather than to the cell that asked for them: JShell's own local engine joins the
     * threads of the running cell's group that it finds alive, and a server started there could keep the cell from
     * ever returning (agentkernel-cells' {@code CellExecution} has the whole story).
     */
    private static Object outsideTheCell(Callable<Object> start) throws ReflectiveOperationException {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        FutureTask<Object> task = new FutureTask<>(start);
        Thread thread = new Thread(root, task, "agentkernel-scripted-llm-start");
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentKernelException("interrupted while starting the scripted LLM server", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case ReflectiveOperationException r -> throw r;
                case RuntimeException r -> throw r;
                case Error r -> throw r;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Its Anthropic-style base URL, {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public void close() throws Exception {
        if (closed) return;
        closed = true;
        Helpers.useLlm(null, null);
        server.close();
    }

    @Override
    public String toString() {
        return "ScriptedLlm[" + baseUrl + "]";
    }
}
