package dev.agentkernel.fakellm.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A started {@link dev.agentkernel.fakellm.FakeLlmServer} on a free port, closed by JUnit.
 *
 * <p>On a {@code static} field: one server for the whole class (started before {@code @BeforeAll}, closed after
 * {@code @AfterAll}). On an instance field or a test-method parameter: one server per test, unless the class has a
 * static one, which they then share (JUnit's store looks up the class's). A {@code @BeforeAll} parameter gets the
 * class's server. Replaces the start/close pair every e2e class wrote by hand (issue 16.6).
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(FakeLlmExtension.class)
public @interface FakeLlm {
}
