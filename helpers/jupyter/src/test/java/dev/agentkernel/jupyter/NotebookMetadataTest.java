package dev.agentkernel.jupyter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** What kernel_info says about the language is what the saved notebooks say (it was .java vs .jshell). */
class NotebookMetadataTest {

    @Test
    void everyNotebookSaysWhatTheKernelSays() throws Exception {
        AgentKernelJupyter kernel = new AgentKernelJupyter(new dev.agentkernel.jupyter.display.CellOutput(
                new PrintStream(OutputStream.nullOutputStream())), () -> { throw new IllegalStateException("unused"); });
        var language = kernel.getLanguageInfo();
        assertEquals(".jshell", language.getFileExtension());
        Path dir = Path.of(System.getProperty("agentkernel.notebooks.dir", "../../notebooks"));
        List<Path> notebooks;
        try (Stream<Path> files = Files.list(dir)) {
            notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
        assertFalse(notebooks.isEmpty(), "no notebooks in " + dir.toAbsolutePath());
        for (Path notebook : notebooks) {
            JsonNode metadata = new ObjectMapper().readTree(notebook.toFile()).path("metadata");
            assertEquals(language.getFileExtension(), metadata.path("language_info").path("file_extension").asText(), notebook.toString());
            assertEquals(language.getName(), metadata.path("language_info").path("name").asText(), notebook.toString());
            assertEquals(language.getMimetype(), metadata.path("language_info").path("mimetype").asText(), notebook.toString());
            assertEquals(AgentKernelJupyter.KERNEL_NAME, metadata.path("kernelspec").path("name").asText(), notebook.toString());
        }
    }
}
