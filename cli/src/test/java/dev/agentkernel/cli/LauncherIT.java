package dev.agentkernel.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/agentkernel} and {@code scripts/lib/find-jdk.sh} as a user runs them: real bash, real JDKs,
 * the cli jar this build just packaged. Fake JDK homes (scripts that print a version) stand in for old
 * or extra Javas, so the tests do not depend on which JDKs the machine has.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherIT {

    static Path repo;

    @TempDir Path tmp;

    @BeforeAll
    static void findRepo() throws IOException {
        repo = Path.of(System.getProperty("agentkernel.repo", "..")).toRealPath();
        assertTrue(Files.isRegularFile(repo.resolve("cli/target/agentkernel-cli.jar")),
                "run after package: cli/target/agentkernel-cli.jar is missing");
    }

    record Result(int code, String out, String err) {}

    private static Result exec(List<String> command, Map<String, String> env, Path cwd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path outFile = Files.createTempFile("launcher-out", ".txt");
        Path errFile = Files.createTempFile("launcher-err", ".txt");
        try {
            pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(45, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in 45 s");
            }
            return new Result(p.exitValue(), Files.readString(outFile), Files.readString(errFile));
        } finally {
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
        }
    }

    /** A minimal environment: no JAVA_HOME unless given, PATH as given. */
    private static Map<String, String> env(String path, String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", path);
        env.put("HOME", System.getProperty("user.home"));
        for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
        return env;
    }

    /** A directory that looks like a JDK of the given version to find-jdk.sh: bin/java, bin/javac, release. */
    private Path fakeJdk(String name, String version, boolean releaseFile) throws IOException {
        Path home = tmp.resolve(name);
        Path bin = Files.createDirectories(home.resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            Path f = bin.resolve(tool);
            Files.writeString(f, "#!/bin/sh\necho 'openjdk version \"" + version + "\" 2025-01-01' >&2\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        if (releaseFile) Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    /** Where JDKs live here: the usual place plus the directory of the JDK running this test. */
    private static String jdkDirs() {
        return "/usr/lib/jvm:" + Path.of(System.getProperty("java.home")).getParent();
    }

    private static String systemPath() {
        return "/usr/local/bin:/usr/bin:/bin";
    }

    private static int majorOf(Path jdkHome) throws Exception {
        Result r = exec(List.of(jdkHome.resolve("bin/java").toString(), "-version"), env(systemPath()), jdkHome);
        Matcher m = Pattern.compile("version \"(\\d+)").matcher(r.err());
        assertTrue(m.find(), r.err());
        return Integer.parseInt(m.group(1));
    }

    private String findJdk(Map<String, String> env) throws Exception {
        Result r = exec(List.of("bash", repo.resolve("scripts/lib/find-jdk.sh").toString()), env, tmp);
        assertEquals(0, r.code(), r.err());
        return r.out().strip();
    }

    @Test
    void finderSkipsAJava17OnPathAndInJavaHome() throws Exception {
        Path old = fakeJdk("jdk-17", "17.0.15", false);
        String found = findJdk(env(old.resolve("bin") + ":" + systemPath(), "JAVA_HOME", old.toString(),
                "AGENTKERNEL_JDK_DIRS", jdkDirs()));
        assertTrue(majorOf(Path.of(found)) >= 21, "picked " + found);
    }

    @Test
    void finderTakesJavaHomeWhenItIsNewEnough() throws Exception {
        Path jdk = fakeJdk("jdk-23", "23.0.1", true);
        assertEquals(jdk.toString(), findJdk(env(systemPath(), "JAVA_HOME", jdk.toString())));
    }

    @Test
    void finderPicksTheNewestUnderTheSearchDirectories() throws Exception {
        Path dirs = Files.createDirectories(tmp.resolve("jvms"));
        Path old = fakeJdk("jdk-17", "17.0.15", true);
        for (String[] v : new String[][] {{"jdk-22", "22.0.2"}, {"jdk-24", "24.0.1"}, {"jdk-21", "21.0.5"}}) {
            Files.move(fakeJdk(v[0], v[1], true), dirs.resolve(v[0]));
        }
        Files.createDirectories(dirs.resolve("not-a-jdk"));
        String found = findJdk(env(old.resolve("bin") + ":/bin", "AGENTKERNEL_JDK_DIRS", dirs.toString()));
        assertEquals(dirs.resolve("jdk-24").toString(), found);
    }

    @Test
    void finderExplainsHowToInstallAJdkWhenThereIsNone() throws Exception {
        Path old = fakeJdk("jdk-17", "17.0.15", false);
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Result r = exec(List.of("bash", repo.resolve("scripts/lib/find-jdk.sh").toString()),
                env(old.resolve("bin") + ":/bin", "JAVA_HOME", old.toString(), "AGENTKERNEL_JDK_DIRS", empty.toString()), tmp);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no JDK 21 or newer found"), r.err());
        assertTrue(r.err().contains("apt-get install openjdk-21-jdk-headless"), r.err());
        assertTrue(r.err().contains("JAVA_HOME=" + old + " (17)"), r.err());
    }

    @Test
    void launcherPrintsTheVersionWithAJdk21EvenWhenPathHasJava17() throws Exception {
        Path old = fakeJdk("jdk-17", "17.0.15", false);
        // AGENTKERNEL_NO_BUILD: other modules' sources may be newer than this build's jars; do not rebuild here.
        Result r = exec(List.of(repo.resolve("bin/agentkernel").toString(), "--version"),
                env(old.resolve("bin") + ":" + systemPath(), "AGENTKERNEL_NO_BUILD", "1", "AGENTKERNEL_JDK_DIRS", jdkDirs()), tmp);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("agentkernel 0.1.0"), r.out());
        Matcher m = Pattern.compile("Java (\\d+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Integer.parseInt(m.group(1)) >= 21, r.out());
    }

    @Test
    void launcherExitsWithTheCommandsCode() throws Exception {
        Result r = exec(List.of(repo.resolve("bin/agentkernel").toString(), "example", "nope"),
                env(systemPath(), "AGENTKERNEL_NO_BUILD", "1"), tmp);
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("unknown example 'nope'"), r.err());
    }

    /** An LLM host installs the skill with {@code bin/agentkernel skill > .../SKILL.md}: stdout is the file, nothing else. */
    @Test
    void skillPrintsTheRepositorysSkillMd() throws Exception {
        Result r = exec(List.of(repo.resolve("bin/agentkernel").toString(), "skill"),
                env(systemPath(), "AGENTKERNEL_NO_BUILD", "1"), tmp);
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(repo.resolve("skill/SKILL.md")), r.out());
    }

    /**
     * The build-on-first-use logic, on a copy of the launcher in a scratch "repo" whose {@code mvn} is a
     * script that records its calls and puts the real cli jar in place.
     */
    /**
     * A stand-in for Maven at {@code script}: runs {@code first} (an answer to {@code -v}, say), logs with {@code log},
     * and "builds" by putting the real cli jar in place.
     */
    private void fakeBuild(Path script, String first, String log) throws IOException {
        Files.writeString(script, String.join("\n", "#!/bin/bash", first, log,
                "mkdir -p cli/target runner/target",
                "cp " + repo.resolve("cli/target/agentkernel-cli.jar") + " cli/target/agentkernel-cli.jar",
                "ln -sfn " + repo.resolve("cli/target/lib") + " cli/target/lib",
                ": > runner/target/agentkernel-runner.jar", ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void launcherBuildsOnFirstUseAndWhenSourcesChangeOnly() throws Exception {
        Path fake = Files.createDirectories(tmp.resolve("repo"));
        Files.createDirectories(fake.resolve("bin"));
        Files.createDirectories(fake.resolve("scripts/lib"));
        Files.copy(repo.resolve("bin/agentkernel"), fake.resolve("bin/agentkernel"));
        Files.copy(repo.resolve("scripts/lib/find-jdk.sh"), fake.resolve("scripts/lib/find-jdk.sh"));
        Files.copy(repo.resolve("scripts/lib/find-maven.sh"), fake.resolve("scripts/lib/find-maven.sh"));
        Files.writeString(fake.resolve("pom.xml"), "<project/>");
        Path source = fake.resolve("kernel/src/main/java/Thing.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Thing {}");
        Files.setLastModifiedTime(fake.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(60)));
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(60)));

        Path tools = Files.createDirectories(tmp.resolve("tools"));
        Path log = tmp.resolve("mvn.log");
        Path mvn = tools.resolve("mvn");
        fakeBuild(mvn, "[[ \"$*\" == \"-B -v\" ]] && { echo \"Apache Maven 3.9.9\"; exit 0; }",
                "echo \"JAVA_HOME=$JAVA_HOME ARGS=$*\" >> " + log);
        Map<String, String> env = env(tools + ":" + systemPath(), "AGENTKERNEL_JDK_DIRS", jdkDirs());
        List<String> version = List.of(fake.resolve("bin/agentkernel").toString(), "--version");

        Result first = exec(version, env, tmp);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().startsWith("agentkernel "), first.out());
        assertTrue(first.err().contains("building the jars"), first.err());
        List<String> calls = Files.readAllLines(log);
        assertEquals(1, calls.size(), calls.toString());
        assertTrue(calls.get(0).contains("ARGS=-q -B -DskipTests install"), calls.get(0));
        Path builtWith = Path.of(calls.get(0).replaceAll("^JAVA_HOME=(\\S+) .*", "$1"));
        assertTrue(majorOf(builtWith) >= 21, "built with " + builtWith);

        Result second = exec(version, env, tmp);
        assertEquals(0, second.code(), second.err());
        assertEquals(1, Files.readAllLines(log).size(), "rebuilt although nothing changed");
        assertTrue(second.err().isEmpty(), second.err());

        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(5)));
        Result third = exec(version, env, tmp);
        assertEquals(0, third.code(), third.err());
        assertEquals(2, Files.readAllLines(log).size(), "a changed source did not trigger a build");
    }

    /**
     * The README's commands need no Maven installed beforehand (issue 16.7): with no {@code mvn} on PATH, or one
     * older than the build needs, the launcher builds with the repository's Maven Wrapper; with neither it says so.
     */
    @Test
    void launcherBuildsWithTheMavenWrapperWhenMavenIsMissingOrOld() throws Exception {
        Path fake = Files.createDirectories(tmp.resolve("repo"));
        Files.createDirectories(fake.resolve("bin"));
        Files.createDirectories(fake.resolve("scripts/lib"));
        Files.copy(repo.resolve("bin/agentkernel"), fake.resolve("bin/agentkernel"));
        Files.copy(repo.resolve("scripts/lib/find-jdk.sh"), fake.resolve("scripts/lib/find-jdk.sh"));
        Files.copy(repo.resolve("scripts/lib/find-maven.sh"), fake.resolve("scripts/lib/find-maven.sh"));
        // A PATH with bash and coreutils but no mvn.
        Path tools = Files.createDirectories(tmp.resolve("tools"));
        for (String t : List.of("bash", "dirname", "readlink", "sed", "head", "find", "cat", "id", "cksum", "cut", "sort", "mkdir",
                "cp", "ln", "touch", "flock")) {
            Path real = Path.of("/usr/bin", t);
            if (!Files.exists(real)) real = Path.of("/bin", t);
            if (Files.exists(real)) Files.createSymbolicLink(tools.resolve(t), real);
        }
        Map<String, String> env = env(tools.toString(), "JAVA_HOME", System.getProperty("java.home"));
        List<String> version = List.of(fake.resolve("bin/agentkernel").toString(), "--version");

        Result none = exec(version, env, tmp);
        assertEquals(1, none.code(), none.out());
        assertTrue(none.err().contains("no Maven found") && none.err().contains("mvnw"), none.err());

        Path log = tmp.resolve("mvnw.log");
        Path wrapper = fake.resolve("mvnw");
        fakeBuild(wrapper, "", "echo \"WRAPPER ARGS=$*\" >> " + log);
        Result built = exec(version, env, tmp);
        assertEquals(0, built.code(), built.err());
        assertTrue(built.out().startsWith("agentkernel "), built.out());
        assertEquals(List.of("WRAPPER ARGS=-q -B -DskipTests install"), Files.readAllLines(log));

        // An mvn too old for the build's plugins is passed over for the wrapper, and the launcher says why.
        Files.delete(fake.resolve("cli/target/agentkernel-cli.jar"));
        Path old = tools.resolve("mvn");
        Files.writeString(old, "#!/bin/bash\necho 'Apache Maven 3.3.9'\n");
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result overOld = exec(version, env, tmp);
        assertEquals(0, overOld.code(), overOld.err());
        assertTrue(overOld.err().contains("using the Maven Wrapper") && overOld.err().contains("older than"), overOld.err());
        assertEquals(2, Files.readAllLines(log).size(), "built with the wrapper again");
    }

    @Test
    void installKernelWritesAKernelspecThatStartsOurKernel() throws Exception {
        Path prefix = tmp.resolve("prefix");
        Result r = exec(List.of(repo.resolve("bin/agentkernel").toString(), "install-kernel", "--no-aot", "--prefix", prefix.toString()),
                env(systemPath(), "AGENTKERNEL_NO_BUILD", "1", "AGENTKERNEL_JDK_DIRS", jdkDirs()), tmp);
        assertEquals(0, r.code(), r.err());
        Path spec = prefix.resolve("share/jupyter/kernels/agentkernel/kernel.json");
        assertTrue(Files.isRegularFile(spec), r.out());
        String json = Files.readString(spec);
        assertTrue(json.contains("{connection_file}"), json);
        assertTrue(json.contains("agentkernel-runner.jar"), "the kernel should find the runner: " + json);
    }

    @Test
    void jshellRunsAScriptWithTheKernelOnTheClassPath() throws Exception {
        Path script = tmp.resolve("hello.jsh");
        Files.writeString(script, """
                System.out.println("kernel class: " + dev.agentkernel.AgentKernel.class.getSimpleName());
                /exit
                """);
        Result r = exec(List.of(repo.resolve("bin/agentkernel").toString(), "jshell", script.toString()),
                env(systemPath(), "AGENTKERNEL_NO_BUILD", "1", "AGENTKERNEL_JDK_DIRS", jdkDirs()), tmp);
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("kernel class: AgentKernel"), r.out() + r.err());
    }

    @Test
    void fakeLlmServesUntilStopped() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/agentkernel").toString(), "fake-llm", "--port", "0");
        pb.environment().put("AGENTKERNEL_NO_BUILD", "1");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String url = null;
            List<String> seen = new ArrayList<>();
            for (String line; url == null && (line = lines.readLine()) != null; ) {
                seen.add(line);
                Matcher m = Pattern.compile("Anthropic base URL: (http://127\\.0\\.0\\.1:\\d+)").matcher(line);
                if (m.find()) url = m.group(1);
            }
            assertNotNull(url, "no base URL printed: " + seen);
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/messages"))
                        .timeout(Duration.ofSeconds(10))
                        .header("content-type", "application/json").header("x-api-key", "k")
                        .header("anthropic-version", "2023-06-01")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"m\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, resp.statusCode(), resp.body());
                assertTrue(resp.body().contains("Echo: ping"), resp.body());
            }
        } finally {
            p.destroy(); // SIGTERM: the shutdown hook stops the server
            boolean stopped = p.waitFor(10, TimeUnit.SECONDS);
            if (!stopped) p.destroyForcibly();
            assertTrue(stopped, "fake-llm did not stop on SIGTERM");
        }
    }
}
