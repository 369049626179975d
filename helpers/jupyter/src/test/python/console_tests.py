"""`jupyter console --kernel <ours>` in a pseudo-terminal (pexpect): an agent turn must be seen while it streams,
and its answer printed once. Needs FAKE_LLM_URL (the scripted LLM server)."""
import os
import re
import sys
import time

import pexpect

from kernel_client import KERNEL_NAME


def main():
    url = os.environ["FAKE_LLM_URL"]
    child = pexpect.spawn("/usr/bin/jupyter-console", ["--kernel", KERNEL_NAME, "--simple-prompt", "--no-confirm-exit"],
                          env=dict(os.environ), encoding="utf-8", timeout=120, dimensions=(60, 250))
    log = []
    child.logfile_read = type("Log", (), {"write": lambda self, s: log.append(s), "flush": lambda self: None})()
    try:
        child.expect(r"In \[1\]: ")
        child.sendline('useLlm("%s", "console-key"); var kernel = localKernel(); '
                       'var r = spawn(kernel, "console", openclaw("You echo."));' % url)
        child.expect(r"In \[2\]: ")
        child.sendline('ask(kernel, r, "[[slow: 400]] one two three four five six seven eight")')
        start = time.monotonic()
        child.expect("Echo: ")  # only the answer has it; the typed line does not
        seen = {}
        for word in ("three", "eight"):
            child.expect(word)
            seen[word] = time.monotonic() - start
        child.expect(r"In \[3\]: ")
        screen = "".join(log)
        answer_part = screen[screen.index('ask(kernel, r, "[[slow'):]
        print("console: 'three' seen at %.2fs, 'eight' at %.2fs after the ask was sent" % (seen["three"], seen["eight"]))
        failures = []
        if seen["eight"] - seen["three"] < 1.0:
            failures.append("the turn did not stream: 'three' and 'eight' arrived together (%.2fs apart)"
                            % (seen["eight"] - seen["three"]))
        answers = len(re.findall(r"Echo: ", answer_part))
        if answers != 1:
            failures.append("the answer was printed %d times, not once" % answers)
        if re.search(r"Out\[2\]", answer_part):
            failures.append("an Out[2] repeats the streamed answer")
        if failures:
            print("FAILED:\n  " + "\n  ".join(failures) + "\n--- screen ---\n" + screen)
            return 1
        print("ok: the console showed the turn while it streamed, once")
        return 0
    finally:
        # --no-confirm-exit: `exit` shuts the kernel (and its agents) down instead of asking; a run that still hangs
        # is ended, and the kernel's parent watch (issue 17.10) takes the kernel along
        child.sendline("exit")
        try:
            child.expect(pexpect.EOF, timeout=30)
        except pexpect.TIMEOUT:
            child.terminate(force=True)


if __name__ == "__main__":
    sys.exit(main())
