package dev.agentkernel.jupyter;

import dev.agentkernel.cells.CellError;
import dev.agentkernel.cells.JShellSession;
import dev.agentkernel.helpers.Rendering;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * The workload {@code install-kernel} runs once under {@code -XX:AOTCacheOutput} (JDK 25, JEP 483/514/515) to train
 * the kernel JVM's AOT cache: what a kernel start and its first cells load, link and profile — JShell, javac, the
 * helpers' start-up script, the cell engine's paths (value, compile error, exception, {@code <helpers>} block,
 * completion, docs) and the basekernel's connection parsing. Later kernel starts map all of it instead of loading
 * javac's classes again. Exits 0 when every step ran as a cell in a notebook would.
 */
final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        PrintStream out = System.out;
        System.setOut(quiet); // the start-up banner and the cells' prints are not the installer's output
        KernelConnectionProperties.parse("{\"ip\":\"127.0.0.1\",\"transport\":\"tcp\",\"shell_port\":1,"
                + "\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"key\":\"k\","
                + "\"signature_scheme\":\"hmac-sha256\"}");
        try (JShellSession session = new JShellSession(JShellSession.jvmClassPath(), quiet, Rendering::richBundle)) {
            for (int i = 0; i < 20; i++) {
                session.evaluate("1+1");
                session.evaluate("int x" + i + " = " + i + ";\nSystem.out.println(x" + i + ");");
                session.evaluate("\"s\" + " + i);
                session.evaluate("List.of(1, 2, " + i + ")");
                session.evaluate("text\n<helpers>\nvar l" + i + " = new ArrayList<String>();\nl" + i + ".add(\"a\");\nl" + i + "\n</helpers>");
                expectError(session, "int bad = \"no\";");
                expectError(session, "throw new IllegalStateException(\"boom\");");
                session.complete("System.out.printl", 17);
                session.documentation("String.valueOf", 14);
                session.isComplete("for (int i = 0; i < 3; i++) {");
            }
            List<String> problems = session.startupProblems();
            if (!problems.isEmpty()) throw new IllegalStateException("start-up problems: " + problems);
        } finally {
            System.setOut(out);
        }
        System.exit(0); // the helpers may hold non-daemon threads; the cache is written at exit
    }

    private static void expectError(JShellSession session, String cell) {
        try {
            session.evaluate(cell);
            throw new IllegalStateException("expected an error from: " + cell);
        } catch (CellError expected) {
            // the error path is part of what a notebook user meets early
        }
    }
}
