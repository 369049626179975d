package dev.agentkernel.cells;

import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * JShell's local execution (snippets run in this JVM, instrumented with JShell's own stop checks) with one change:
 * a cell waits for the thread that runs it, and only that one.
 *
 * <p>Why: {@link LocalExecutionControl} starts the snippet's thread in a fresh thread group, then enumerates that
 * group and joins every thread in it. A snippet that starts a long-lived thread before the enumeration — an HTTP
 * server's dispatcher ({@code scriptedLlm()}), an executor's worker — has that thread joined too, and the cell never
 * returns. Whether the enumeration comes first is a race the caller usually wins; on a loaded 2-core machine it lost
 * (CI, 2026-12-06: {@code NotebooksTest} hung 30 min in {@code Thread.join} on the scripted server's
 * {@code idle-timeout-task} timer, load average 48). Nothing a cell starts may hold the cell open: a notebook cell
 * ends when its code returns, as in ipykernel.
 *
 * <p>{@link #stop()} is JShell's: its stop flag (the class {@code REPL.$Cancel$} JShell 22+ weaves a check of into
 * every loop and method of a snippet) makes a busy loop throw, and every thread of the running cell's group is
 * interrupted. On JDK 21, whose local execution has no such flag, only the interrupt is sent.
 */
final class CellExecution implements ExecutionControlProvider {
    static final String NAME = "agentkernel-cell";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) throws ExecutionControl.ExecutionControlException {
        Control control = new Control();
        // as LocalExecutionControlProvider: a class path given as a remote-VM option is this JVM's to load from
        List<String> options = env.extraRemoteVMOptions();
        int classPath = options.indexOf("--class-path") + 1;
        if (classPath > 0 && classPath < options.size()) control.addToClasspath(options.get(classPath));
        return control;
    }

    static final class Control extends LocalExecutionControl {
        private static final String CANCEL_CLASS = "REPL.$Cancel$";

        private final Object lock = new Object();
        private boolean running;
        private ThreadGroup cellGroup;
        /** JShell's stop flag: null until the first cell looked it up, empty on a JDK without one (21). */
        private volatile Optional<Field> stopFlag;

        @Override
        @SuppressWarnings("removal") // ThreadDeath is what JShell's stop check throws
        protected String invoke(Method doitMethod) throws Exception {
            Optional<Field> flag = stopFlag();
            if (flag.isPresent()) flag.get().set(null, false);
            AtomicBoolean stopped = new AtomicBoolean();
            AtomicReference<Exception> failure = new AtomicReference<>();
            ThreadGroup group = new ThreadGroup("JShell process local execution") {
                @Override
                public void uncaughtException(Thread t, Throwable e) {
                    if (e instanceof ThreadDeath) stopped.set(true);
                    else super.uncaughtException(t, e);
                }
            };
            Object[] result = new Object[1];
            Thread cell = new Thread(group, () -> {
                try {
                    result[0] = doitMethod.invoke(null);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof ThreadDeath) stopped.set(true);
                    else failure.set(e);
                } catch (IllegalAccessException e) {
                    failure.set(e);
                } catch (ThreadDeath e) {
                    stopped.set(true);
                }
            });
            synchronized (lock) {
                cellGroup = group;
            }
            cell.start();
            cell.join();
            if (stopped.get()) throw new StoppedException();
            if (failure.get() != null) throw failure.get();
            return valueString(result[0]);
        }

        /** Loads JShell's stop-check class the way its own first invoke does (a no-op cell), then finds its flag. */
        private Optional<Field> stopFlag() throws Exception {
            if (stopFlag == null) {
                Method noop = Control.class.getDeclaredMethod("noop");
                noop.setAccessible(true);
                super.invoke(noop);
                Optional<Field> flag;
                try {
                    Field allStop = findClass(CANCEL_CLASS).getDeclaredField("allStop");
                    allStop.setAccessible(true);
                    flag = Optional.of(allStop);
                } catch (ClassNotFoundException | NoSuchFieldException jdk21) {
                    flag = Optional.empty();
                }
                stopFlag = flag;
            }
            return stopFlag;
        }

        @SuppressWarnings("unused") // invoked reflectively by stopFlag()
        private static void noop() {
        }

        @Override
        public void stop() throws EngineTerminationException, InternalException {
            synchronized (lock) {
                if (!running || cellGroup == null) return;
                try {
                    Optional<Field> flag = stopFlag;
                    if (flag != null && flag.isPresent()) flag.get().set(null, true);
                } catch (IllegalAccessException e) {
                    throw new InternalException("could not set JShell's stop flag: " + e);
                }
                Thread[] threads;
                int count;
                do {
                    threads = new Thread[cellGroup.activeCount() + 4];
                    count = cellGroup.enumerate(threads);
                } while (count == threads.length);
                for (int i = 0; i < count; i++) threads[i].interrupt();
            }
        }

        @Override
        protected void clientCodeEnter() {
            synchronized (lock) {
                running = true;
            }
        }

        @Override
        protected void clientCodeLeave() {
            synchronized (lock) {
                running = false;
            }
        }
    }
}
