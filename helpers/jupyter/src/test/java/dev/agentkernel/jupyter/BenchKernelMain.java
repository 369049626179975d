package dev.agentkernel.jupyter;

import dev.agentkernel.fakellm.FakeLlmServer;

import java.util.Map;

/**
 * Runs src/test/python/bench_kernel.py against a temporary kernelspec of this build, with a scripted LLM
 * server for the agent numbers. Not a test: {@code java -cp <test class path> dev.agentkernel.jupyter.BenchKernelMain}.
 */
public final class BenchKernelMain {
    private BenchKernelMain() {}

    public static void main(String[] args) throws Exception {
        int exitCode;
        try (PythonJupyter jupyter = new PythonJupyter(); FakeLlmServer llm = FakeLlmServer.start(0)) {
            // Debian's python3-ipykernel (kernelspec python3) is the peer, measured alternately in the same run
            java.util.List<String> benchArgs = new java.util.ArrayList<>(java.util.List.of(
                    "--kernel", PythonJupyter.KERNEL_NAME, "--llm-url", llm.anthropicBaseUrl()));
            if (java.nio.file.Files.isRegularFile(java.nio.file.Path.of("/usr/share/jupyter/kernels/python3/kernel.json"))) {
                benchArgs.addAll(java.util.List.of("--peer", "python3", "--starts", System.getProperty("bench.starts", "5")));
            }
            PythonJupyter.Result result = jupyter.run(1800, Map.of(), "bench_kernel.py", benchArgs.toArray(String[]::new));
            System.out.println(result.output());
            exitCode = result.exitCode() == 0 ? 0 : 1;
        }
        System.exit(exitCode); // after the temp Jupyter dir is deleted and the LLM server closed

    }
}
