"""Executes every notebook given (or in --dir) with nbclient on the AgentKernel kernel; fails on any error
output and prints the failing cell."""
import argparse
import glob
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

from kernel_client import KERNEL_NAME


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--kernel", default=KERNEL_NAME)
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()
    paths = sorted(glob.glob(os.path.join(args.dir, "*.ipynb")))
    if not paths:
        print("no notebooks in " + args.dir)
        return 3
    failures = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, kernel_name=args.kernel, timeout=args.timeout, allow_errors=True,
                                resources={"metadata": {"path": os.path.dirname(path)}})
        start = time.monotonic()
        client.execute()
        errors = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    errors += 1
                    print("FAILED %s cell %d:\n%s\n--> %s: %s\n%s\n" % (
                        os.path.basename(path), index, cell.source, output.get("ename"), output.get("evalue"),
                        "\n".join(output.get("traceback", []))))
        print("%s: %d code cells, %d errors, %.1fs" % (os.path.basename(path),
              sum(1 for c in nb.cells if c.cell_type == "code"), errors, time.monotonic() - start))
        failures += errors
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
