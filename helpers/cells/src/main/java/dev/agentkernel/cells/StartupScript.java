package dev.agentkernel.cells;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a fresh session runs before the first cell (the {@code jshell} tool's start-up scripts): the tool's default
 * imports, then the helpers' {@code agentkernel.jsh}. A snippet that fails is recorded, never fatal: a broken
 * start-up script must not keep the kernel from starting.
 */
final class StartupScript {
    /** The imports the {@code jshell} tool starts with (its DEFAULT startup); the JShell API adds none. */
    static final List<String> DEFAULT_IMPORTS = List.of(
            "import java.io.*;", "import java.math.*;", "import java.net.*;", "import java.nio.file.*;",
            "import java.util.*;", "import java.util.concurrent.*;", "import java.util.function.*;",
            "import java.util.prefs.*;", "import java.util.regex.*;", "import java.util.stream.*;");
    static final String HELPERS_STARTUP = "dev/agentkernel/helpers/agentkernel.jsh";

    private StartupScript() {}

    /** Runs the default imports and the helpers' start-up script; returns the snippets that failed, with why. */
    static List<String> run(JShell jshell) {
        List<String> problems = new ArrayList<>();
        DEFAULT_IMPORTS.forEach(s -> eval(jshell, s, problems));
        // agentkernel.jsh repeats three of the default imports (it must also work after the tool's own DEFAULT
        // start-up); each snippet is a javac task (~20-40 ms cold), so an import already made is not made again
        helpersStartup().ifPresent(script -> splitSnippets(jshell.sourceCodeAnalysis(), script).stream()
                .filter(s -> !DEFAULT_IMPORTS.contains(s.strip()))
                .forEach(s -> eval(jshell, s, problems)));
        return problems;
    }

    private static Optional<String> helpersStartup() {
        ClassLoader loader = StartupScript.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(HELPERS_STARTUP)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Splits a start-up script into snippets, skipping JShell tool commands ({@code /set ...}). */
    static List<String> splitSnippets(SourceCodeAnalysis analysis, String script) {
        String java = script.lines()
                .map(l -> l.stripLeading().startsWith("/") && !l.stripLeading().startsWith("//")
                        && !l.stripLeading().startsWith("/*") ? "" : l)
                .collect(Collectors.joining("\n"));
        List<String> snippets = new ArrayList<>();
        String rest = java;
        while (!rest.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            if (info.completeness() == Completeness.EMPTY) break;
            if (!info.completeness().isComplete()) {
                snippets.add(rest);
                break;
            }
            snippets.add(info.source());
            if (info.remaining().length() >= rest.length()) break;
            rest = info.remaining();
        }
        return snippets;
    }

    private static void eval(JShell jshell, String snippet, List<String> problems) {
        for (SnippetEvent event : jshell.eval(snippet)) {
            if (event.causeSnippet() != null) continue;
            if (event.status() == Snippet.Status.REJECTED || event.exception() != null) {
                problems.add(snippet.strip() + " -> " + (event.exception() != null
                        ? event.exception().getMessage()
                        : jshell.diagnostics(event.snippet()).map(d -> d.getMessage(Locale.ROOT)).collect(Collectors.joining("; "))));
            }
        }
    }

    /** One throw-away compile so the user's first cell does not pay for loading and JIT-compiling javac. */
    static void warmUp(JShell jshell) {
        // a declaration and a bare expression (what a first cell usually is: `1+1`), each through the same
        // analyze-then-eval path a cell takes, so both of javac's code paths are loaded and warm
        for (String snippet : List.of("String $agentkernelWarmUp = String.valueOf(1 + 1);", "1 + 1")) {
            jshell.sourceCodeAnalysis().analyzeCompletion(snippet);
            for (SnippetEvent event : jshell.eval(snippet)) {
                if (event.causeSnippet() == null) jshell.drop(event.snippet());
            }
        }
    }
}
