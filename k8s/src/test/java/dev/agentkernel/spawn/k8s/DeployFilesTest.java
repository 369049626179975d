package dev.agentkernel.spawn.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13.7: the shipped RBAC covers every call the kernel makes and gives agents only get/watch on leases;
 * the Kubernetes scripts parse and avoid what bash 3.2 (macOS) lacks; the image the scripts build for kind and
 * minikube is the image the example config names. (No bash 3.2 binary here: the constructs are checked instead.)
 */
class DeployFilesTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final List<String> SCRIPTS = List.of("scripts/run_k8s_scenario.sh", "scripts/build_base_image.sh",
            "scripts/cleanup_k8s.sh", "scripts/lib/find-jdk.sh");

    static List<Role> roles() throws Exception {
        try (InputStream in = Files.newInputStream(REPO.resolve("k8s/deploy/rbac.yaml"))) {
            Object parsed = Serialization.unmarshal(in);
            @SuppressWarnings("unchecked")
            List<HasMetadata> items = parsed instanceof List<?> l ? (List<HasMetadata>) l : List.of((HasMetadata) parsed);
            return items.stream().filter(Role.class::isInstance).map(Role.class::cast).toList();
        }
    }

    static boolean allows(Role role, String group, String resource, String verb) {
        for (PolicyRule r : role.getRules()) {
            if (r.getApiGroups().contains(group) && r.getResources().contains(resource) && r.getVerbs().contains(verb)) return true;
        }
        return false;
    }

    @Test
    void rbacManifestCoversTheKernelAndGivesAgentsOnlyLeaseReads() throws Exception {
        List<Role> roles = roles();
        Role kernel = roles.stream().filter(r -> r.getMetadata().getName().equals("agentkernel-kernel")).findFirst().orElseThrow();
        String[][] calls = {
                {"", "pods", "create"}, {"", "pods", "watch"}, {"", "pods", "delete"}, {"", "secrets", "create"}, {"", "configmaps", "patch"},
                {"", "pods/portforward", "create"}, {"coordination.k8s.io", "leases", "patch"}, {"coordination.k8s.io", "leases", "watch"},
                {"coordination.k8s.io", "leases", "get"}, {"", "serviceaccounts", "create"}, {"rbac.authorization.k8s.io", "roles", "create"},
                {"rbac.authorization.k8s.io", "rolebindings", "create"}, {"networking.k8s.io", "networkpolicies", "create"},
                {"", "events", "list"}, {"", "serviceaccounts", "deletecollection"}};
        for (String[] c : calls) assertTrue(allows(kernel, c[0], c[1], c[2]), "kernel Role allows " + String.join(" ", c));
        Role agent = roles.stream().filter(r -> r.getMetadata().getName().equals("agentkernel-agent")).findFirst().orElseThrow();
        assertEquals(1, agent.getRules().size());
        assertEquals(List.of("leases"), agent.getRules().getFirst().getResources());
        assertEquals(List.of("get", "watch"), agent.getRules().getFirst().getVerbs());
    }

    @Test
    void scriptsParseAndAvoidWhatBash32Lacks() throws Exception {
        Pattern arrayUse = Pattern.compile("(\\$\\{?[+]?)?\"\\$\\{(\\w+)\\[@\\]\\}\"");
        for (String script : SCRIPTS) {
            Path file = REPO.resolve(script);
            Process p = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), script + ": " + new String(p.getInputStream().readAllBytes()));
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.startsWith("#")) continue;
                String where = script + ":" + (i + 1) + ": " + line;
                assertFalse(line.matches(".*readlink -f(?!.*\\|\\|).*"), "readlink -f without a fallback (macOS): " + where);
                assertFalse(line.matches(".*\\b(mapfile|readarray|declare -A|local -A|coproc)\\b.*"), "bash 4 only: " + where);
                assertFalse(line.matches(".*\\$\\{\\w+(,,|\\^\\^)\\}.*"), "case modification is bash 4 only: " + where);
                Matcher m = arrayUse.matcher(line);
                while (m.find()) {
                    String guard = "${" + m.group(2) + "[@]+";
                    assertTrue(line.contains(guard), "\"${" + m.group(2) + "[@]}\" fails when empty under set -u in bash < 4.4;"
                            + " write ${" + m.group(2) + "[@]+\"${" + m.group(2) + "[@]}\"}: " + where);
                }
            }
        }
    }

    @Test
    void theImageBuiltForKindAndMinikubeIsTheImageTheExampleConfigNames() throws Exception {
        String config = Files.readString(REPO.resolve("examples/agentkernel.yaml"));
        Matcher m = Pattern.compile("(?m)^base_image:\\s*(\\S+)").matcher(config);
        assertTrue(m.find(), "examples/agentkernel.yaml names a base_image");
        String image = m.group(1);
        String builder = Files.readString(REPO.resolve("oci/src/main/java/dev/agentkernel/packaging/oci/BaseImageBuilder.java"));
        assertTrue(builder.contains(".named(\"" + image + "\")"), "the tar the script loads into kind/minikube is named " + image);
        String script = Files.readString(REPO.resolve("scripts/build_base_image.sh"));
        assertTrue(script.contains("kind load image-archive") && script.contains("minikube image load"), "one path per cluster kind");
        String docs = Files.readString(REPO.resolve("docs/kubernetes.md"));
        assertTrue(docs.contains("scripts/build_base_image.sh --kind") && docs.contains("scripts/build_base_image.sh --minikube"),
                "docs/kubernetes.md shows the kind and minikube paths");
    }
}
