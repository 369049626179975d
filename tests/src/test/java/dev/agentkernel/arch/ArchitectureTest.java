package dev.agentkernel.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module and package map of docs/architecture.md, checked on the compiled classes (issue 16.6). Module-info
 * exports would fence nothing on the class path every user, notebook and test runs on, so the fence is this test.
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.agentkernel");
    }

    /**
     * Issue 16.6: a simple name used in two modules (two {@code BusEntry}, two {@code ToolSandbox}) made readers and
     * imports guess which one was meant. Nested classes may repeat (each is read through its owner).
     */
    @Test
    void noTwoTopLevelClassesShareASimpleName() {
        java.util.Map<String, java.util.List<String>> byName = new java.util.TreeMap<>();
        for (var c : classes) {
            if (c.isTopLevelClass() && !c.getSimpleName().equals("package-info")) {
                byName.computeIfAbsent(c.getSimpleName(), n -> new java.util.ArrayList<>()).add(c.getName());
            }
        }
        byName.values().removeIf(names -> names.size() < 2);
        org.junit.jupiter.api.Assertions.assertTrue(classes.size() > 300, "imported only " + classes.size() + " classes");
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Map.of(), byName,
                "simple names used by two classes; rename one (e.g. FooEnv for a protocol constant holder)");
    }

    @Test
    void theRunnerSharesOnlyTheProtocolWithTheKernel() {
        noClasses().that().resideInAPackage("dev.agentkernel.runner..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.agentkernel", "dev.agentkernel.spawn..",
                        "dev.agentkernel.client..", "dev.agentkernel.config..", "dev.agentkernel.team..", "dev.agentkernel.helpers..",
                        "dev.agentkernel.jupyter..", "dev.agentkernel.cells..")
                .check(classes);
    }

    @Test
    void theKernelKnowsNothingOfNotebooksHelpersOrTheRunner() {
        noClasses().that().resideInAnyPackage("dev.agentkernel", "dev.agentkernel.spawn..", "dev.agentkernel.client..",
                        "dev.agentkernel.config..", "dev.agentkernel.team..", "dev.agentkernel.bus..", "dev.agentkernel.blob..",
                        "dev.agentkernel.packaging..", "dev.agentkernel.plugin..", "dev.agentkernel.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.agentkernel.helpers..", "dev.agentkernel.jupyter..",
                        "dev.agentkernel.cells..", "dev.agentkernel.runner..", "dev.agentkernel.fakellm..")
                .check(classes);
    }

    @Test
    void whatUserCodeCallsDoesNotDependOnHowACellRuns() {
        noClasses().that().resideInAPackage("dev.agentkernel.helpers..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.agentkernel.jupyter..", "dev.agentkernel.cells..")
                .check(classes);
    }

    @Test
    void theProtocolDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage("dev.agentkernel.protocol..")
                .should().dependOnClassesThat().resideOutsideOfPackages("dev.agentkernel.protocol..", "java..", "javax..",
                        "com.fasterxml.jackson..")
                .check(classes);
    }

    @Test
    void noCircleBetweenTheKernelsImplementationPackages() {
        // The root package (the public API) and its implementation may know each other; below it, no circles.
        slices().matching("dev.agentkernel.(spawn|client|config|team|bus|blob|packaging|plugin).(**)")
                .should().beFreeOfCycles().check(classes);
    }

    @Test
    void noCircleBetweenTheRunnersPackages() {
        // llm, loop and tools share their vocabulary through runner.model instead of through each other (issue 16.4).
        slices().matching("dev.agentkernel.runner.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theRunnersPackagesDoNotReachBackToItsRoot() {
        // The root package wires the runner together (RunnerMain, Runner, RunnerSettings); the parts it wires never
        // reach back up to it, so each of them can be used, and tested, without the whole runner.
        noClasses().that().resideInAPackage("dev.agentkernel.runner..").and().resideOutsideOfPackage("dev.agentkernel.runner")
                .should().dependOnClassesThat().resideInAPackage("dev.agentkernel.runner")
                .check(classes);
    }
}
