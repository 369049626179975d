package dev.agentkernel.cells;

import java.util.Map;
import java.util.Optional;

/**
 * The value of a cell's last expression, as Jupyter shows it in {@code execute_result}.
 *
 * @param text JShell's rendering ({@code 42}, {@code "hi"} with quotes), or the value's own text form when it
 *             renders richly; the {@code text/plain} part
 * @param rich the other MIME types (e.g. {@code text/html} from {@code Rendering} for the kernel's value types,
 *             {@code image/png} for an image); empty for plain values
 */
public record CellValue(String text, Map<String, String> rich) {
    public CellValue {
        rich = Map.copyOf(rich);
    }

    public CellValue(String text) {
        this(text, Map.of());
    }

    public Optional<String> html() {
        return Optional.ofNullable(rich.get("text/html"));
    }
}
