package dev.agentkernel.spawn.k8s.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether the runner takes its nonce from {@code AGENTKERNEL_NONCE} when the config file has none (the
 * contract pods rely on). Probed once by starting the runner with such a config.
 */
public final class RunnerSupport {
    private static volatile Boolean cached;

    private RunnerSupport() {}

    public static boolean readsNonceFromEnv(Path runnerJar) {
        Boolean c = cached;
        if (c != null) return c;
        synchronized (RunnerSupport.class) {
            if (cached == null) cached = probe(runnerJar);
            return cached;
        }
    }

    private static boolean probe(Path runnerJar) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("runner-probe");
            Path config = dir.resolve("config.json");
            Files.writeString(config, "{\"agent_id\":\"probe\",\"http_port\":0,\"bind_address\":\"127.0.0.1\",\"workspace\":\""
                    + dir + "\",\"state_dir\":\"" + dir + "\"}");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", runnerJar.toString(),
                    "dev.agentkernel.runner.RunnerMain", "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile());
            pb.environment().put("AGENTKERNEL_NONCE", "probe-nonce");
            Process p = pb.start();
            p.getOutputStream().close();
            boolean exited = p.waitFor(3, TimeUnit.SECONDS);
            String out = Files.readString(dir.resolve("out"), StandardCharsets.UTF_8);
            p.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
            return !(exited && out.contains("nonce"));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (dir != null) {
                try (var walk = Files.walk(dir)) {
                    for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // temp
                }
            }
        }
    }
}
