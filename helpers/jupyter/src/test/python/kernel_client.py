"""Shared helpers for the AgentKernel Jupyter tests: run a cell on a real kernel and time what comes back."""
import os
import queue
import time
from dataclasses import dataclass, field

KERNEL_NAME = os.environ.get("AGENTKERNEL_KERNEL_NAME", "agentkernel")


@dataclass
class CellRun:
    reply: dict
    reply_at: float                      # seconds after the execute_request was sent
    events: list = field(default_factory=list)  # (seconds, msg_type, content) of iopub messages of this cell
    interrupted_at: float = None

    @property
    def status(self):
        return self.reply["content"]["status"]

    def outputs(self, msg_type):
        return [(t, c) for (t, kind, c) in self.events if kind == msg_type]

    def stream_text(self, name="stdout"):
        return "".join(c["text"] for (_, c) in self.outputs("stream") if c["name"] == name)

    def first(self, *msg_types):
        for (t, kind, c) in self.events:
            if kind in msg_types:
                return t, c
        return None

    def error(self):
        errors = self.outputs("error")
        return errors[0][1] if errors else None

    def result_text(self):
        results = self.outputs("execute_result")
        return results[0][1]["data"]["text/plain"] if results else None

    def describe(self):
        lines = ["reply %.3fs: %s" % (self.reply_at, self.reply["content"])]
        lines += ["  %.3fs %s %s" % (t, kind, c) for (t, kind, c) in self.events]
        return "\n".join(lines)


def run_cell(km, kc, code, timeout=60.0, interrupt_after=None, after_output=False):
    """Executes code and collects its iopub messages and reply, timing each on arrival.

    interrupt_after: seconds until an interrupt_request; with after_output, counted from the cell's first stream
    output, so a loaded machine that compiles slowly cannot make the interrupt land before the code runs."""
    msg_id = kc.execute(code)
    start = time.monotonic()
    run = CellRun(reply=None, reply_at=None)
    idle = False
    while run.reply is None or not idle:
        now = time.monotonic() - start
        if now > timeout:
            raise AssertionError("cell did not finish within %.0fs: %r\n%s" % (timeout, code, run.events))
        started = (min((t for (t, kind, c) in run.events if kind == "stream"), default=None) if after_output else 0.0)
        if (interrupt_after is not None and run.interrupted_at is None and started is not None
                and now >= started + interrupt_after):
            km.interrupt_kernel()
            run.interrupted_at = time.monotonic() - start
        got = False
        msg = _poll(kc.get_iopub_msg)
        if msg is not None:
            got = True
            if msg["parent_header"].get("msg_id") == msg_id:
                run.events.append((time.monotonic() - start, msg["msg_type"], msg["content"]))
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
        msg = _poll(kc.get_shell_msg)
        if msg is not None:
            got = True
            if msg["parent_header"].get("msg_id") == msg_id:
                run.reply = msg
                run.reply_at = time.monotonic() - start
        if not got:
            time.sleep(0.001)
    return run


def _poll(get):
    """A message if one is waiting (within 2 ms), else None: polls shell and iopub alternately."""
    try:
        return get(timeout=0.002)
    except queue.Empty:
        return None
