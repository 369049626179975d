package dev.agentkernel.packaging.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reads pushed images back with a tool that is not Jib, so the tests check what a cluster would pull. */
final class Skopeo {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Skopeo() {}

    static JsonNode inspect(String reference, String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "inspect", "--tls-verify=false"));
        cmd.addAll(List.of(flags));
        cmd.add(reference.contains(":") && reference.startsWith("docker-archive:") ? reference : "docker://" + reference);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("skopeo timed out: " + cmd);
        }
        if (p.exitValue() != 0) throw new IllegalStateException("skopeo failed: " + new String(out));
        return JSON.readTree(out);
    }
}
