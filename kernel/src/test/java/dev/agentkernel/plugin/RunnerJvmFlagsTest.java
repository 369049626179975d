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
    void theWarmUpIsSwitchedOffOnlyWhenAsked() {
        List<String> off = RunnerJvmFlags.forRunner(Path.of("no-such-runner.jar"), null, java.util.Map.of(RunnerJvmFlags.WARM_ENV, "off"));
        assertTrue(off.contains("-Dagentkernel.runner.warm=off"), off.toString());
        List<String> on = RunnerJvmFlags.forRunner(Path.of("no-such-runner.jar"), null, java.util.Map.of());
        assertTrue(on.stream().noneMatch(f -> f.startsWith("-Dagentkernel.runner.warm")), on.toString());
        assertTrue(on.contains("-Dagentkernel.class.cache=none"), "no cache directory, no cache: " + on);
    }
}
