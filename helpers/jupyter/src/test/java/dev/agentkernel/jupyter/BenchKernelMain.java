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
            PythonJupyter.Result result = jupyter.run(900, Map.of(), "bench_kernel.py",
                    "--kernel", PythonJupyter.KERNEL_NAME, "--llm-url", llm.anthropicBaseUrl());
            System.out.println(result.output());
            exitCode = result.exitCode() == 0 ? 0 : 1;
        }
        System.exit(exitCode); // after the temp Jupyter dir is deleted and the LLM server closed

    }
}
