package dev.agentkernel.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** bom/pom.xml has no parent (importing it must pin only our artifacts), so nothing keeps it in step but this. */
class BomTest {
    static final List<String> LIBRARY_MODULES = List.of("protocol", "kernel", "runner", "helpers/jshell", "helpers/cells", "helpers/jupyter", "helpers/mcp",
            "k8s", "oci", "fake-llm");

    @Test
    void theBomHasTheParentsVersionAndEveryArtifactAUserDependsOn() throws Exception {
        Path repo = Path.of(System.getProperty("agentkernel.repo", "..")).toRealPath();
        String bom = Files.readString(repo.resolve("bom/pom.xml"));
        String parent = Files.readString(repo.resolve("pom.xml"));
        assertEquals(firstVersion(parent), firstVersion(bom), "bom/pom.xml's version follows the parent's");
        assertFalse(bom.contains("<parent>"), "the BOM must not inherit the parent's dependencyManagement");
        for (String module : LIBRARY_MODULES) {
            String pom = Files.readString(repo.resolve(module).resolve("pom.xml"));
            Matcher m = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>").matcher(pom);
            assertTrue(m.find(), module);
            assertTrue(bom.contains("<artifactId>" + m.group(1) + "</artifactId>"), "the BOM lists " + m.group(1));
        }
    }

    private static String firstVersion(String pom) {
        String withoutParent = pom.replaceAll("(?s)<parent>.*?</parent>", "");
        Matcher m = Pattern.compile("<version>([^<]+)</version>").matcher(withoutParent);
        assertTrue(m.find());
        return m.group(1);
    }
}
