"""Benchmark numbers for a Jupyter kernel (not a timed test):
  1. kernel start -> first kernel_info reply
  2. warm execute_request round trip for `1+1` (p50/p90 over --runs)
  3. print -> client: how long a line printed in a cell takes to reach the client as a `stream` message
  4. with --llm-url: an agent turn against the scripted LLM server: time to the first streamed output, and the
     spacing of streamed updates against the server's [[slow: MS]] spacing (the per-chunk delivery cost), and
     interrupt -> next ask accepted (--interrupts rounds): a slow turn is interrupted after its first output and the
     next `ask` cell is sent at once, as a user who presses stop and runs the next cell; timed from the
     interrupt_request to that ask's first output (the agent took the turn) and to its ok reply.
With --peer NAME (e.g. python3, Debian's ipykernel) the start and `1+1` numbers are measured for both kernels in
the same run, alternating start by start (--starts rounds), so load on a shared machine hits both alike.
Usage: bench_kernel.py --kernel agentkernel [--runs 50] [--llm-url http://127.0.0.1:PORT [--interrupts 20]]
                       [--peer python3 --starts 5]"""
import argparse
import contextlib
import queue
import statistics
import time

from jupyter_client.manager import KernelManager

from kernel_client import run_cell


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


@contextlib.contextmanager
def started(kernel_name):
    """A started kernel: (manager, client, ms from start to the first kernel_info reply); shut down on exit."""
    km = KernelManager(kernel_name=kernel_name)
    t0 = time.monotonic()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        yield km, kc, (time.monotonic() - t0) * 1000
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


def warm_times(km, kc, runs):
    """`runs` round trips of `1+1` in ms, after 5 unmeasured ones."""
    for _ in range(5):
        run_cell(km, kc, "1+1")
    return [run_cell(km, kc, "1+1").reply_at * 1000 for _ in range(runs)]


def start_and_first(kernel_name, runs):
    """One kernel start: ms to the first kernel_info reply, ms of the first `1+1`, and `runs` warm `1+1` times."""
    with started(kernel_name) as (km, kc, ready):
        first = run_cell(km, kc, "1+1").reply_at * 1000
        return ready, first, warm_times(km, kc, runs)


def interrupt_then_ask(km, kc, slow_cell, next_cell, timeout=60.0):
    """Runs slow_cell, sends interrupt_request at its first output and next_cell right after (as a notebook queues
    the next cell behind the stop); returns (slow cell's reply status, next cell's status, seconds from the
    interrupt to next_cell's first output, seconds from the interrupt to next_cell's reply, seconds from the
    interrupt to slow_cell's reply)."""
    slow_id = kc.execute(slow_cell)
    start = time.monotonic()
    interrupted_at = next_id = None
    slow_status = next_status = first_output = replied = slow_replied = None
    next_idle = False
    while next_status is None or not next_idle:
        if time.monotonic() - start > timeout:
            raise AssertionError("interrupt round did not finish within %.0fs" % timeout)
        try:
            msg = kc.get_iopub_msg(timeout=0.002)
            parent = msg["parent_header"].get("msg_id")
            kind = msg["msg_type"]
            if parent == slow_id and interrupted_at is None and kind in ("stream", "display_data"):
                km.interrupt_kernel()
                interrupted_at = time.monotonic()
                next_id = kc.execute(next_cell)
            elif next_id is not None and parent == next_id:
                if first_output is None and kind in ("stream", "display_data"):
                    first_output = time.monotonic() - interrupted_at
                if kind == "status" and msg["content"]["execution_state"] == "idle":
                    next_idle = True
        except queue.Empty:
            pass
        try:
            msg = kc.get_shell_msg(timeout=0.002)
            parent = msg["parent_header"].get("msg_id")
            if parent == slow_id:
                slow_status = msg["content"]["status"]
                slow_replied = time.monotonic() - interrupted_at if interrupted_at else None
                if interrupted_at is None:
                    raise AssertionError("the slow turn ended before any output: %s" % msg["content"])
            elif next_id is not None and parent == next_id:
                next_status = msg["content"]["status"]
                replied = time.monotonic() - interrupted_at
                if next_status != "ok":
                    print("next ask after interrupt failed: %s" % msg["content"].get("evalue"))
        except queue.Empty:
            pass
    return slow_status, next_status, first_output, replied, slow_replied


def compare(kernel, peer, starts, runs):
    """Alternates starts of both kernels; prints medians side by side."""
    results = {kernel: ([], [], []), peer: ([], [], [])}
    for _ in range(starts):
        for name in (kernel, peer):
            ready, first, warm = start_and_first(name, runs)
            results[name][0].append(ready)
            results[name][1].append(first)
            results[name][2].extend(warm)
    print("| %s vs %s, same run, %d alternating starts | %s | %s | ratio |" % (kernel, peer, starts, kernel, peer))
    print("|---|---|---|---|")
    rows = [("kernel start -> kernel_info reply, median ms", 0), ("first `1+1` after ready, median ms", 1),
            ("warm `1+1` round trip p50 ms (n=%d each)" % (starts * runs), 2)]
    for label, index in rows:
        ours = statistics.median(results[kernel][index])
        theirs = statistics.median(results[peer][index])
        print("| %s | %.1f | %.1f | %.2f |" % (label, ours, theirs, ours / theirs if theirs else float("nan")))
    print("| warm `1+1` p90 ms | %.1f | %.1f | |" % (pct(results[kernel][2], 90), pct(results[peer][2], 90)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kernel", default="agentkernel")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--llm-url", default="")
    parser.add_argument("--peer", default="", help="another kernelspec measured alternately, e.g. python3")
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--interrupts", type=int, default=20, help="interrupt -> next ask rounds (with --llm-url)")
    args = parser.parse_args()
    if args.peer:
        compare(args.kernel, args.peer, args.starts, args.runs)

    with started(args.kernel) as (km, kc, ready):
        print("kernel start -> kernel_info reply: %.0f ms" % ready)

        first = run_cell(km, kc, "1+1")
        print("first execute (JShell warm-up included): %.0f ms" % (first.reply_at * 1000))
        times = warm_times(km, kc, args.runs)
        print("warm execute `1+1` round trip over %d: p50 %.1f ms, p90 %.1f ms, min %.1f ms"
              % (args.runs, statistics.median(times), pct(times, 90), min(times)))

        # Each line carries the kernel's wall clock when printed; the client compares on arrival (same host).
        run = run_cell(km, kc, "for (int i = 0; i < 20; i++) { System.out.println(System.currentTimeMillis()); "
                               "Thread.sleep(50); }")
        lags = []
        t_send = time.time() - run.reply_at  # wall time the request was sent
        for (at, content) in run.outputs("stream"):
            arrived = (t_send + at) * 1000
            for line in content["text"].split():
                lags.append(arrived - int(line))
        print("print -> stream message at client: p50 %.1f ms, max %.1f ms (%d lines)"
              % (statistics.median(lags), max(lags), len(lags)))

        if args.llm_url:
            setup = run_cell(km, kc, 'useLlm("%s", "bench-key"); var benchKernel = localKernel(); '
                                     'var benchAgent = spawn(benchKernel, "bench", openclaw("bench"));' % args.llm_url,
                             timeout=120)
            if setup.status != "ok":
                print("agent setup failed: " + setup.describe())
                return 1
            spacing = 100
            words = " ".join("w%d" % i for i in range(20))
            run = run_cell(km, kc, 'ask(benchKernel, benchAgent, "[[slow: %d]] %s")' % (spacing, words), timeout=120)
            updates = [t for (t, kind, _) in run.events if kind in ("stream", "display_data", "update_display_data")]
            if run.status != "ok" or not updates:
                print("agent turn failed: " + run.describe())
                return 1
            gaps = [(b - a) * 1000 for a, b in zip(updates, updates[1:])]
            print("agent turn: first output %.0f ms after execute, %d streamed messages, reply %.0f ms after the "
                  "first output" % (updates[0] * 1000, len(updates), (run.reply_at - updates[0]) * 1000))
            if gaps:
                print("agent chunk spacing at client: median %.1f ms for %d ms at the LLM server "
                      "(chunk -> stream overhead is the excess, roughly)" % (statistics.median(gaps), spacing))

            accepted, replied, stopped, failed = [], [], [], 0
            for i in range(args.interrupts):
                slow, status, first_output, reply, slow_reply = interrupt_then_ask(
                    km, kc, 'ask(benchKernel, benchAgent, "[[slow: 400]] %s")' % words,
                    'ask(benchKernel, benchAgent, "next %d")' % i)
                if status != "ok" or first_output is None:
                    failed += 1
                    continue
                accepted.append(first_output * 1000)
                replied.append(reply * 1000)
                stopped.append(slow_reply * 1000)
            if accepted:
                print("interrupt -> next ask accepted (its first output), n=%d: p50 %.0f ms, p99 %.0f ms; its reply "
                      "p50 %.0f ms, p99 %.0f ms; the interrupted cell's reply p50 %.0f ms; %d of %d next asks failed"
                      % (len(accepted), statistics.median(accepted), pct(accepted, 99), statistics.median(replied),
                         pct(replied, 99), statistics.median(stopped), failed, args.interrupts))
            else:
                print("interrupt -> next ask: all %d next asks failed" % args.interrupts)
                return 1
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
