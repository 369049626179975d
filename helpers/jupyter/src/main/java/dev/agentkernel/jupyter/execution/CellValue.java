package dev.agentkernel.jupyter.execution;

import java.util.Optional;

/**
 * The value of a cell's last expression, as Jupyter shows it in {@code execute_result}.
 *
 * @param text JShell's rendering ({@code 42}, {@code "hi"} with quotes), the {@code text/plain} part
 * @param html an HTML rendering from {@code Rendering.html} when the helpers know the type
 */
public record CellValue(String text, Optional<String> html) {
}
