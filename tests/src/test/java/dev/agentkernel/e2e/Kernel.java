package dev.agentkernel.e2e;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An {@link dev.agentkernel.AgentKernel} on a fresh temporary state dir, closed by JUnit, which then checks that no
 * runner process (nor anything below it) the kernel started survives it.
 *
 * <p>On a {@code static} field: one kernel for the class, built before {@code @BeforeAll}. On an instance field: one
 * per test. By default {@link E2e#kernel} with an empty host env; {@link #value()} names a static method of the test
 * class, {@code AgentKernel name(Path stateDir)}, for another backend or host env (issue 16.6).
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KernelExtension.class)
@interface Kernel {
    /** A static factory {@code AgentKernel name(Path stateDir)} in the test class; empty for {@link E2e#kernel}. */
    String value() default "";

    /** Where {@link #value()} is declared, when not in the test class itself. */
    Class<?> in() default void.class;
}
