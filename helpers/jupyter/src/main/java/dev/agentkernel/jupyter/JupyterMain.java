package dev.agentkernel.jupyter;

import dev.agentkernel.helpers.Display;
import dev.agentkernel.helpers.Rendering;
import dev.agentkernel.helpers.Session;
import dev.agentkernel.jupyter.display.CapturedStream;
import dev.agentkernel.jupyter.display.CellOutput;
import dev.agentkernel.jupyter.display.JupyterDisplay;
import dev.agentkernel.cells.JShellSession;
import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.publish.PublishStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Entry point Jupyter starts: {@code java -cp … dev.agentkernel.jupyter.JupyterMain <connection file>}. */
public final class JupyterMain {
    /** Shell/control poll interval: 5 ms keeps request latency low at ~400 idle wake-ups a second. */
    static final long POLL_MILLIS = 5;

    private JupyterMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: JupyterMain <connection-file>  (Jupyter passes {connection_file};"
                    + " install the kernelspec with `agentkernel install-kernel`)");
            System.exit(2);
        }
        KernelConnectionProperties connection;
        try {
            connection = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        } catch (NoSuchFileException e) {
            System.err.println("Connection file not found: " + args[0] + ". Start the kernel through Jupyter.");
            System.exit(2);
            return;
        } catch (IOException | RuntimeException e) {
            System.err.println("Cannot read connection file " + args[0] + ": " + e.getMessage());
            System.exit(2);
            return;
        }

        // Bind java.util.logging's console handler to the real stderr before it is captured, so logging goes
        // to the kernel log, not into a cell; and only warnings, since the basekernel logs every message at INFO.
        for (Handler handler : Logger.getLogger("").getHandlers()) handler.setLevel(Level.WARNING);
        PrintStream kernelLog = System.err;
        CellTrace.logTo(kernelLog);
        CellTrace.milestone("main");
        KernelSpecInstaller.staleAotCache(ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()),
                JShellSession.jvmClassPath()).ifPresent(kernelLog::println);

        CellOutput output = new CellOutput(kernelLog);
        System.setOut(new PrintStream(new CapturedStream(output, PublishStream.StreamType.OUT), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new CapturedStream(output, PublishStream.StreamType.ERR), true, StandardCharsets.UTF_8));
        // No stdin channel support: a cell reading System.in gets end-of-input instead of hanging the kernel.
        System.setIn(InputStream.nullInputStream());
        Display.install(new JupyterDisplay(output));
        // A JVM exit the exit guard could not see (reflection, a library) still takes the agents along.
        Session.closeAllAtExit();

        AgentKernelJupyter kernel = new AgentKernelJupyter(output,
                () -> new JShellSession(JShellSession.jvmClassPath(), kernelLog, Rendering::richBundle));
        JupyterConnection jupyter = new JupyterConnection(connection);
        kernel.becomeHandlerForConnection(jupyter);
        ChannelPolling.shorten(jupyter, POLL_MILLIS);
        jupyter.connect();
        CellTrace.milestone("connected");
        // The frontend died without a shutdown_request (its terminal closed): end as on shutdown, agents included.
        ParentWatch.start(ParentWatch.parentPid(System.getenv(ParentWatch.ENV)), () -> {
            kernelLog.println("agentkernel: the frontend (" + ParentWatch.ENV + "=" + System.getenv(ParentWatch.ENV)
                    + ") is gone; shutting down and killing this session's agents");
            kernel.close();
            System.exit(0);
        });
        jupyter.waitUntilClose();
        kernel.close();
        output.close();
        System.exit(0); // JShell and agent clients may hold non-daemon threads
    }
}
