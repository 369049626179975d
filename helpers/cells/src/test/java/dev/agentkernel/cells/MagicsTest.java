package dev.agentkernel.cells;

import dev.agentkernel.helpers.Rendering;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * %maven, %jars and %classpath in cells and {@code <helpers>} blocks. %maven resolves real artifacts from Maven
 * Central into an empty temporary local repository, so the download happens in this test.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MagicsTest {
    static Path repo;
    static JShellSession session;

    @BeforeAll
    static void start() throws Exception {
        repo = Files.createTempDirectory("agentkernel-maven-test");
        System.setProperty("agentkernel.maven.repo", repo.toString());
        session = new JShellSession(JShellSession.jvmClassPath(), new PrintStream(OutputStream.nullOutputStream()),
                Rendering::richBundle);
        assertEquals("CompileError", assertThrows(CellError.class,
                () -> session.evaluate("org.apache.commons.text.WordUtils.initials(\"x\")")).name(),
                "commons-text is not on the kernel's class path before a magic adds it (commons-lang3 is: the kernel "
                        + "has it through commons-compress, so only the download proves %maven for it)");
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("agentkernel.maven.repo");
        if (session != null) session.close();
        try (Stream<Path> files = Files.walk(repo)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Runs a cell and returns what it printed (magics report on System.out, as into the cell). */
    static String printed(String cell) throws CellError {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            session.evaluate(cell);
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void mavenResolvesFromCentralAndTheNextCellUsesIt() throws Exception {
        String out = printed("%maven org.apache.commons:commons-lang3:3.17.0");
        assertTrue(out.contains("commons-lang3-3.17.0.jar"), out);
        assertTrue(Files.isRegularFile(repo.resolve("org/apache/commons/commons-lang3/3.17.0/commons-lang3-3.17.0.jar")),
                "downloaded into the local repository");
        assertEquals("\"Hello\"", session.evaluate("org.apache.commons.lang3.StringUtils.capitalize(\"hello\")")
                .orElseThrow().text());
        assertTrue(printed("%classpath").contains("commons-lang3-3.17.0.jar"));
    }

    @Test
    void magicsWorkInsideHelpersBlocksWithTransitiveDependencies() throws Exception {
        var value = session.evaluate("I need commons-text.\n<helpers>\n%maven org.apache.commons:commons-text:1.12.0\n"
                + "import org.apache.commons.text.WordUtils;\nWordUtils.initials(\"Ada Lovelace\")\n</helpers>");
        assertEquals("\"AL\"", value.orElseThrow().text());
        // commons-text needs commons-lang3 at run time: it came along
        assertTrue(printed("%classpath").contains("commons-lang3-"), "transitive dependency resolved");
    }

    @Test
    void jarsTakesAGlob() throws Exception {
        Path lib = Files.createDirectories(repo.resolve("lib-for-jars"));
        Path source = Files.createTempDirectory(repo, "src");
        Files.writeString(source.resolve("Greeter.java"), "package greet; public class Greeter { public static String hi() { return \"hi from a jar\"; } }");
        var compiler = javax.tools.ToolProvider.getSystemJavaCompiler();
        assertEquals(0, compiler.run(null, null, null, "-d", source.resolve("classes").toString(),
                source.resolve("Greeter.java").toString()));
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(lib.resolve("greeter.jar")))) {
            jar.putNextEntry(new java.util.jar.JarEntry("greet/Greeter.class"));
            jar.write(Files.readAllBytes(source.resolve("classes/greet/Greeter.class")));
            jar.closeEntry();
        }
        String out = printed("%jars " + lib + "/*.jar");
        assertTrue(out.contains("1 jar(s)"), out);
        assertEquals("\"hi from a jar\"", session.evaluate("greet.Greeter.hi()").orElseThrow().text());
    }

    @Test
    void badMagicsAreClearErrors() {
        CellError coordinates = assertThrows(CellError.class, () -> session.evaluate("%maven commons-lang3"));
        assertEquals("MagicError", coordinates.name());
        assertTrue(coordinates.getMessage().contains("group:artifact:version"), coordinates.getMessage());
        CellError missing = assertThrows(CellError.class, () -> session.evaluate("%maven dev.agentkernel.nothing:absent:9.9.9"));
        assertTrue(missing.getMessage().contains("could not be resolved"), missing.getMessage());
        CellError noJars = assertThrows(CellError.class, () -> session.evaluate("%jars /nonexistent-dir/*.jar"));
        assertTrue(noJars.getMessage().contains("matches no file"), noJars.getMessage());
        CellError unknown = assertThrows(CellError.class, () -> session.evaluate("int before = 1;\n%load x.jsh"));
        assertTrue(unknown.getMessage().contains("line 2") && unknown.getMessage().contains("%maven"), unknown.getMessage());
        assertEquals(JShellSession.Status.COMPLETE, session.isComplete("%maven a:b:1\nint q = 1;"));
    }
}
