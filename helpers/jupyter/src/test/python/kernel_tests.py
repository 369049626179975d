"""The standard jupyter_kernel_test suite against the AgentKernel kernel."""
import unittest

import jupyter_kernel_test

from kernel_client import KERNEL_NAME


class AgentKernelConformance(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "java"
    file_extension = ".jshell"  # kernel_info must match what saved notebooks say (NotebookMetadataTest)

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("something went wrong");'
    code_generate_error = 'throw new IllegalStateException("boom");'

    completion_samples = [
        {"text": "System.out.printl", "matches": {"println("}},
        {"text": "Math.ab", "matches": {"abs(", "absExact("}},
    ]
    complete_code_samples = ["1 + 1", "int x = 1;", 'System.out.println("x");',
                             "text\n<helpers>\nint q = 1;\n</helpers>"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int y = 1 +", "plan\n<helpers>\nint z = 1;"]
    invalid_code_samples = ["int x = ;", "1 + 1)", "}"]

    code_display_data = [
        {"code": 'Display.current().html("<b>hi</b>", "hi");', "mime": "text/html"},
        {"code": 'Display.current().markdown("**hi**");', "mime": "text/markdown"},
    ]
    code_execute_result = [
        {"code": "6*7", "result": "42"},
        {"code": '"a" + "b"', "result": '"ab"'},
    ]
    code_inspect_sample = "Math.abs"
    code_history_pattern = "6?7"
    supported_history_operations = ("tail", "range", "search")


if __name__ == "__main__":
    unittest.main(verbosity=2)
