"""Starts the kernel as jupyter console does (jupyter_client sets JPY_PARENT_PID to this process), spawns an agent,
prints "PIDS <kernel pid> <runner pid>" and waits to be killed: the Java test kills this process like a closed
terminal would and checks that the kernel and its runner go too."""
import os
import sys
import time

from jupyter_client import KernelManager

from kernel_client import KERNEL_NAME, run_cell

km = KernelManager(kernel_name=KERNEL_NAME)
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=120)
code = """
useLlm("%s", "test-key");
var kernel = localKernel();
var r = spawn(kernel, "orphan", openclaw("You are a test agent."));
System.out.println("PIDS " + ProcessHandle.current().pid() + " " + info(kernel, r).pid());
""" % os.environ["FAKE_LLM_URL"]
run = run_cell(km, kc, code, timeout=120)
lines = [l for l in run.stream_text().splitlines() if l.startswith("PIDS ")]
if run.status != "ok" or not lines:
    print("FAILED " + run.describe(), flush=True)
    sys.exit(1)
print(lines[-1], flush=True)
while True:
    time.sleep(1)
