package dev.agentkernel.plugin;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunnerJvmFlagsTest {

    @Test
    void fastExitOnlyWhereTheJvmKnowsTheFlag() {
        assertEquals(List.of("-XX:UserThreadWaitAttemptsAtExit=0"), RunnerJvmFlags.fastExit(25));
        assertEquals(List.of("-XX:UserThreadWaitAttemptsAtExit=0"), RunnerJvmFlags.fastExit(26));
        assertEquals(List.of(), RunnerJvmFlags.fastExit(21), "JDK 21 refuses to start with an unknown -XX flag");
    }

    @Test
    void everyRunnerStartsWithTheFastExitFlags() {
        List<String> flags = RunnerJvmFlags.forRunner(Path.of("no-such-runner.jar"), null);
        assertTrue(flags.containsAll(RunnerJvmFlags.LEAN), flags.toString());
        assertTrue(flags.containsAll(RunnerJvmFlags.fastExit()), flags.toString());
        if (Runtime.version().feature() >= 25) {
            assertTrue(flags.contains("-XX:UserThreadWaitAttemptsAtExit=0"), "the build JDK is 25: " + flags);
        }
    }

    @Test
    void theClassCacheIsMappedWhereItWasWrittenSoRunnersShareItsPages() {
        List<String> flags = RunnerJvmFlags.forRunner(Path.of("no-such-runner.jar"), null);
        int unlock = flags.indexOf("-XX:+UnlockDiagnosticVMOptions");
        int mode = flags.indexOf("-XX:ArchiveRelocationMode=0");
        assertTrue(mode >= 0, "without it every runner rewrites (and so privately copies) the whole cache: " + flags);
        assertTrue(unlock >= 0 && unlock < mode, "the JVM refuses a diagnostic flag before its unlock: " + flags);
    }

    @Test
    void theLeanFlagsStartThisJvm() throws Exception {
        // a flag this JDK does not know (or a diagnostic one without its unlock) would fail every spawn
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(RunnerJvmFlags.LEAN);
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }

    @Test
    void theWarmUpIsSwitchedOffOnlyWhenAsked() {
        List<String> off = RunnerJvmFlags.forRunner(Path.of("no-such-runner.jar"), null, java.util.Map.of(RunnerJvmFlags.WARM_ENV, "off"));
        assertTrue(off.contains("-Dagentkernel.runner.warm=off"), off.toString());
        List<String> on = RunnerJvmFlags.forRunner(Path.of("no-such-runner.jar"), null, java.util.Map.of());
        assertTrue(on.stream().noneMatch(f -> f.startsWith("-Dagentkernel.runner.warm")), on.toString());
        assertTrue(on.contains("-Dagentkernel.class.cache=none"), "no cache directory, no cache: " + on);
    }

    @Test
    void eachWarmUpModeIsPassedOnAndAnUnknownOneIsATypedErrorNamingTheModes() {
        for (String mode : List.of("off", "build", "turn")) {
            List<String> flags = RunnerJvmFlags.forRunner(Path.of("no-such-runner.jar"), null, java.util.Map.of(RunnerJvmFlags.WARM_ENV, mode));
            assertTrue(flags.contains("-Dagentkernel.runner.warm=" + mode), flags.toString());
        }
        dev.agentkernel.SpawnFailedException e = org.junit.jupiter.api.Assertions.assertThrows(dev.agentkernel.SpawnFailedException.class,
                () -> RunnerJvmFlags.forRunner(Path.of("no-such-runner.jar"), null, java.util.Map.of(RunnerJvmFlags.WARM_ENV, "fast")));
        assertTrue(e.getMessage().contains("AGENTKERNEL_RUNNER_WARM=fast") && e.getMessage().contains("turn (the default), build or off"),
                e.getMessage());
    }
}
