"""Benchmark of the MCP server (`bin/agentkernel mcp`) next to the notebook kernel, in one run (not a timed test):
  1. MCP server start -> `initialize` answered, over --starts fresh processes; each start alternates with a start of
     the notebook kernel (start -> kernel_info reply), the same number measured in the same run as a reference.
  2. warm `run_helpers("1+1")` round trip (tools/call sent -> result read), p50/p90 over --runs, alternating with the
     notebook kernel's `1+1` execute_request round trip (sent -> execute_reply) as the same-run reference.
  3. spawn + ask + kill of one agent against the scripted LLM: one run_helpers call holding the helpers block vs the
     same block as a Jupyter execute_request to the notebook kernel, --rounds rounds interleaved AB/BA (MCP first in
     even rounds, the kernel first in odd ones), so load on a shared machine hits both alike; p50 each and the ratio.
The MCP client is this script: newline-delimited JSON-RPC over the server's stdin/stdout (initialize,
notifications/initialized, tools/call), nothing of the SDK, as a host would speak it. Any JSON-RPC error, tool result
with isError, failed cell or unexpected output stops the run with a message and exit status 1: a broken server or
kernel cannot produce a number.
Measured 2026-12-06 01:12-01:33 UTC, 2 cores shared with other builds (load average 6-86, mean 9-10), three runs of
--starts 10 --runs 50 --rounds 20 with `bin/agentkernel mcp` (MCP p50 / notebook kernel p50, ratio):
start -> initialize / kernel_info 1741-2586 / 1191-1782 ms (1.38-1.46x); warm `1+1` 46-89 / 40-78 ms (0.88-1.15x);
spawn+ask+kill 2144-2463 / 1700-2232 ms (1.10-1.26x). The start gap is the JVM without a class cache (the kernelspec
maps the AOT cache install-kernel trains) plus the bin/agentkernel wrapper: the server as `java -cp <cli jar>
AgentKernelMcp` started at 0.97x of the kernel, and with an AOT cache trained on one bench run (-XX:AOTCache) at 0.78x
(716 vs 924 ms); spawn+ask+kill was 1.07x then. Inside the block (n=10) the spawn is what differs: 938 vs 663 ms
(ask 426 vs 450, kill 83 vs 55). At load ~3.5 (01:36-01:45, same day): bin/agentkernel mcp start 893-1016 vs
742-894 ms (1.14-1.20x), warm `1+1` 23.5-35.0 vs 25.4-35.6 ms (0.92-0.98x), spawn+ask+kill 835-858 vs 855-895 ms
(0.96-0.98x, n=10 and 20); with the AOT-cached server (load ~4.6) start 837 vs 1242 ms (0.67x).
Usage: bench_mcp.py --llm-url http://127.0.0.1:PORT [--mcp-command "bin/agentkernel mcp"] [--kernel agentkernel]
                    [--starts 10] [--runs 50] [--rounds 10]"""
import argparse
import json
import os
import queue
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "jupyter", "src",
                                "test", "python"))
from jupyter_client.manager import KernelManager  # noqa: E402

from kernel_client import run_cell  # noqa: E402

PROTOCOL_VERSION = "2025-06-18"
# The measured block, sent as it is to both: a fresh agent, one turn the scripted LLM answers exactly, the kill.
BLOCK = """<helpers>
var benchAgent = spawn(benchKernel, "bench", openclaw("bench"));
var benchReply = ask(benchKernel, benchAgent, "[[reply: pong]]");
kill(benchKernel, benchAgent);
benchReply
</helpers>"""
BLOCK_RESULT = "pong"


class BenchFailure(Exception):
    """A call that failed: the run stops with this message, not a number."""


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


class McpServer:
    """One `agentkernel mcp` process spoken to over stdio; its stderr goes to a temp file shown on failure."""

    def __init__(self, command):
        self.command = command
        self.stderr = tempfile.TemporaryFile()
        self.started_at = time.monotonic()
        try:
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr)
        except OSError as e:
            raise BenchFailure("cannot start the MCP server %r: %s" % (command, e))
        self.lines = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def stderr_tail(self, chars=3000):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")[-chars:]

    def fail(self, what):
        raise BenchFailure("%s\n  server: %s\n  server stderr (tail):\n%s" % (what, " ".join(self.command),
                                                                            self.stderr_tail()))

    def send(self, message):
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            self.process.stdin.flush()
        except OSError as e:
            self.fail("writing to the MCP server failed (%s); exit status %s" % (e, self.process.poll()))

    def request(self, method, params, timeout=120.0):
        """Sends a request; returns its result, skipping notifications. A JSON-RPC error or a silent server fails."""
        self.next_id += 1
        request_id = self.next_id
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail("no answer to %s within %.0f s" % (method, timeout))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                self.fail("the MCP server closed stdout before answering %s (exit status %s)"
                          % (method, self.process.poll()))
            try:
                message = json.loads(line)
            except ValueError:
                self.fail("the MCP server wrote a line that is not JSON on the protocol channel: %r" % line[:500])
            if "method" in message:
                if "id" in message:  # a request to the client: this client offers no capabilities
                    self.send({"jsonrpc": "2.0", "id": message["id"],
                               "error": {"code": -32601, "message": "not supported by bench_mcp.py"}})
                continue  # notifications (logging, progress) while a tool runs
            if message.get("id") != request_id:
                self.fail("answer to an unknown request id %r while waiting for %s" % (message.get("id"), method))
            if "error" in message:
                self.fail("%s failed: JSON-RPC error %s" % (method, json.dumps(message["error"])))
            return message["result"]

    def initialize(self):
        result = self.request("initialize", {"protocolVersion": PROTOCOL_VERSION, "capabilities": {},
                                             "clientInfo": {"name": "bench_mcp.py", "version": "1"}})
        if result.get("serverInfo", {}).get("name") != "agentkernel":
            self.fail("initialize answered by an unexpected server: %s" % json.dumps(result)[:500])
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return result

    def call(self, tool, arguments, timeout=120.0):
        """tools/call; the result's text. A result with isError fails the run."""
        result = self.request("tools/call", {"name": tool, "arguments": arguments}, timeout)
        text = "".join(c.get("text", "") for c in result.get("content", []))
        if result.get("isError"):
            self.fail("tool %s(%s) returned an error:\n%s" % (tool, json.dumps(arguments)[:300], text))
        return text

    def run_helpers(self, code, expect, timeout=120.0):
        text = self.call("run_helpers", {"code": code}, timeout)
        if expect not in text:
            self.fail("run_helpers(%r) answered without %r:\n%s" % (code[:200], expect, text))
        return text

    def close(self, timeout=30.0):
        """stdin closed ends the server and its agents; killed if it does not go within `timeout`."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            print("warning: the MCP server did not exit within %.0f s of stdin closing; killed" % timeout,
                  file=sys.stderr)
        self.stderr.close()


class Kernel:
    """The notebook kernel through jupyter_client."""

    def __init__(self, name):
        self.name = name
        self.output = tempfile.TemporaryFile()  # its banner and logs: shown when a cell fails, not mixed into the table
        self.km = KernelManager(kernel_name=name)
        t0 = time.monotonic()
        self.km.start_kernel(stdout=self.output, stderr=self.output)
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=120)
        except RuntimeError as e:
            self.close()
            raise BenchFailure("kernel %r did not answer kernel_info within 120 s: %s\n%s" % (name, e, self.output_tail()))
        self.ready_ms = (time.monotonic() - t0) * 1000

    def run(self, code, expect, timeout=120.0):
        """Runs a cell; ms from execute_request to its reply. A failed cell or a missing `expect` fails the run."""
        run = run_cell(self.km, self.kc, code, timeout=timeout)
        if run.status != "ok":
            raise BenchFailure("kernel %r: cell failed: %r\n%s\n  kernel output (tail):\n%s"
                               % (self.name, code[:200], run.describe(), self.output_tail()))
        shown = (run.result_text() or "") + run.stream_text()
        if expect not in shown:
            raise BenchFailure("kernel %r: cell %r answered without %r:\n%s" % (self.name, code[:200], expect,
                                                                               run.describe()))
        return run.reply_at * 1000

    def output_tail(self, chars=3000):
        self.output.seek(0)
        return self.output.read().decode("utf-8", "replace")[-chars:]

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)
        self.output.close()


def timed(action):
    t0 = time.monotonic()
    action()
    return (time.monotonic() - t0) * 1000


def measure_starts(mcp_command, kernel_name, starts):
    """Fresh MCP server starts (to `initialize` answered), each followed by a fresh notebook kernel start."""
    mcp, kernel = [], []
    for _ in range(starts):
        server = McpServer(mcp_command)
        try:
            server.initialize()
            mcp.append((time.monotonic() - server.started_at) * 1000)
        finally:
            server.close()
        k = Kernel(kernel_name)
        kernel.append(k.ready_ms)
        k.close()
    return mcp, kernel


def setup(llm_url):
    return 'useLlm("%s", "bench-key");\nvar benchKernel = localKernel();\n"ready"' % llm_url


def summary(values):
    return "p50 %.1f ms, p90 %.1f ms, min %.1f, max %.1f (n=%d)" % (statistics.median(values), pct(values, 90),
                                                                  min(values), max(values), len(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mcp-command", default="bin/agentkernel mcp", help="the MCP server's command line")
    parser.add_argument("--kernel", default="agentkernel", help="the notebook kernel's kernelspec name")
    parser.add_argument("--llm-url", required=True, help="the scripted LLM (bin/agentkernel fake-llm --port 0)")
    parser.add_argument("--starts", type=int, default=10, help="fresh server starts (and kernel starts)")
    parser.add_argument("--runs", type=int, default=50, help="warm run_helpers(\"1+1\") round trips")
    parser.add_argument("--rounds", type=int, default=10, help="AB/BA rounds of spawn + ask + kill (one each side)")
    args = parser.parse_args()
    for name in ("starts", "runs", "rounds"):
        if getattr(args, name) < 1:
            parser.error("--%s must be at least 1" % name)
    mcp_command = shlex.split(args.mcp_command)

    mcp_starts, kernel_starts = measure_starts(mcp_command, args.kernel, args.starts)
    print("BENCH mcp start -> initialize answered: " + summary(mcp_starts))
    print("BENCH notebook kernel start -> kernel_info reply: " + summary(kernel_starts))

    server = McpServer(mcp_command)
    kernel = None
    try:
        server.initialize()
        kernel = Kernel(args.kernel)
        server.run_helpers("1+1", "=> 2")  # JShell's start and first compile, unmeasured
        for _ in range(5):
            server.run_helpers("1+1", "=> 2")
            kernel.run("1+1", "2")
        rt, rt_kernel = [], []
        for i in range(args.runs):  # AB/BA, as the rounds below
            if i % 2 == 0:
                rt.append(timed(lambda: server.run_helpers("1+1", "=> 2")))
            rt_kernel.append(kernel.run("1+1", "2"))
            if i % 2 == 1:
                rt.append(timed(lambda: server.run_helpers("1+1", "=> 2")))
        print("BENCH mcp run_helpers(\"1+1\") warm round trip: " + summary(rt))
        print("BENCH notebook kernel execute_request \"1+1\" warm round trip: " + summary(rt_kernel))

        # the same session state on both sides, then one unmeasured round each (first spawn: class cache, JIT)
        server.run_helpers(setup(args.llm_url), "ready")
        kernel.run(setup(args.llm_url), "ready")
        server.run_helpers(BLOCK, BLOCK_RESULT)
        kernel.run(BLOCK, BLOCK_RESULT)
        via_mcp, via_kernel = [], []
        for i in range(args.rounds):
            order = [("mcp", via_mcp), ("kernel", via_kernel)]
            for side, times in (order if i % 2 == 0 else order[::-1]):
                if side == "mcp":
                    times.append(timed(lambda: server.run_helpers(BLOCK, BLOCK_RESULT)))
                else:
                    times.append(kernel.run(BLOCK, BLOCK_RESULT))
        print("BENCH spawn+ask+kill via MCP run_helpers: " + summary(via_mcp))
        print("BENCH spawn+ask+kill via notebook kernel execute_request: " + summary(via_kernel))
        # the agents are killed by the block; none may be left in either session
        status = server.call("agent_status", {})
        if "(no agents)" not in status:
            server.fail("agents left in the MCP session after the rounds:\n" + status)
    finally:
        if kernel is not None:
            kernel.close()
        server.close()

    def row(label, ours, theirs, n):
        a, b = statistics.median(ours), statistics.median(theirs)
        print("| %s | %d | %.1f | %.1f | %.2f |" % (label, n, a, b, a / b))

    print()
    print("| MCP server vs notebook kernel, same run | n each | MCP p50 ms | kernel p50 ms | ratio MCP/kernel |")
    print("|---|---|---|---|---|")
    row("start -> `initialize` answered / kernel_info reply (fresh processes, alternating)", mcp_starts,
        kernel_starts, args.starts)
    row("warm `run_helpers(\"1+1\")` / execute_request `1+1` round trip (AB/BA)", rt, rt_kernel, args.runs)
    print("| warm `1+1` round trip p90 | %d | %.1f | %.1f | |" % (args.runs, pct(rt, 90), pct(rt_kernel, 90)))
    row("spawn + ask + kill, one helpers block, scripted LLM (AB/BA)", via_mcp, via_kernel, args.rounds)
    print("| spawn + ask + kill p90 | %d | %.1f | %.1f | |" % (args.rounds, pct(via_mcp, 90), pct(via_kernel, 90)))
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BenchFailure as e:
        print("bench_mcp.py: FAILED: %s" % e, file=sys.stderr)
        raise SystemExit(1)
