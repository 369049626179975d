package dev.agentkernel.jupyter;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JupyterMain started the way Jupyter starts it, with bad arguments. */
class JupyterMainTest {
    private static String[] run(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), JupyterMain.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return new String[]{String.valueOf(p.exitValue()), out};
    }

    @Test
    void missingConnectionFileIsNamed() throws Exception {
        String[] result = run("/nonexistent/kernel-1.json");
        assertEquals("2", result[0]);
        assertTrue(result[1].contains("Connection file not found: /nonexistent/kernel-1.json"), result[1]);
    }

    @Test
    void noArgumentsPrintsUsage() throws Exception {
        String[] result = run();
        assertEquals("2", result[0]);
        assertTrue(result[1].contains("usage: JupyterMain <connection-file>"), result[1]);
    }
}
