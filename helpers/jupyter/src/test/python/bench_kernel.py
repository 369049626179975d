"""Benchmark numbers for a Jupyter kernel (not a timed test):
  1. kernel start -> first kernel_info reply
  2. warm execute_request round trip for `1+1` (p50/p90 over --runs)
  3. print -> client: how long a line printed in a cell takes to reach the client as a `stream` message
  4. with --llm-url: an agent turn against the scripted LLM server: time to the first streamed output, and the
     spacing of streamed updates against the server's [[slow: MS]] spacing (the per-chunk delivery cost).
Usage: bench_kernel.py --kernel agentkernel [--runs 50] [--llm-url http://127.0.0.1:PORT]"""
import argparse
import statistics
import time

from jupyter_client.manager import KernelManager

from kernel_client import run_cell


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kernel", default="agentkernel")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--llm-url", default="")
    args = parser.parse_args()

    km = KernelManager(kernel_name=args.kernel)
    t0 = time.monotonic()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        print("kernel start -> kernel_info reply: %.0f ms" % ((time.monotonic() - t0) * 1000))

        first = run_cell(km, kc, "1+1")
        print("first execute (JShell warm-up included): %.0f ms" % (first.reply_at * 1000))
        for _ in range(5):
            run_cell(km, kc, "1+1")
        times = [run_cell(km, kc, "1+1").reply_at * 1000 for _ in range(args.runs)]
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
        return 0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


if __name__ == "__main__":
    raise SystemExit(main())
