"""Per-cell overhead of `%load_ext nbvc` (magics + lineage tracer) in an IPython shell.

Runs the same trivial cells in one in-process IPython shell with and without the extension, in
alternating blocks (off, on, off, on, ...) so that drift on a shared machine hits both alike,
inside a temporary nbvc repo that tracks some files and a folder (the tracer stats them around
every cell). Reports the median and p90 time per cell and the difference, which the design caps
at 1 ms for a cell that touches no files. A cell that reads a small file is timed too.

    python benchmarks/bench_kernel_overhead.py [--cells 2000] [--blocks 6] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from typing import Any

TRIVIAL = "x = 1"
READS_FILE = "with open('data/small.csv') as f:\n    y = f.read()"


def make_repo(root: str, tracked_files: int, folder_files: int) -> None:
    from nbvc.core.repo import Repo

    os.makedirs(os.path.join(root, "data", "parts"))
    for i in range(tracked_files):
        with open(os.path.join(root, "data", f"t{i}.bin"), "wb") as handle:
            handle.write(os.urandom(1024))
    for i in range(folder_files):
        with open(os.path.join(root, "data", "parts", f"p{i}.bin"), "wb") as handle:
            handle.write(os.urandom(256))
    with open(os.path.join(root, "data", "small.csv"), "w") as handle:
        handle.write("a,b\n1,2\n")
    repo, _ = Repo.init(root)
    with repo:
        paths = [os.path.join(root, "data", f"t{i}.bin") for i in range(tracked_files)]
        repo.add([*paths, os.path.join(root, "data", "parts")], message="bench")


def time_cells(shell: Any, source: str, count: int) -> list[float]:
    """Seconds per ``run_cell``, as a kernel runs it (stored in history)."""
    times = []
    for _ in range(count):
        start = time.perf_counter()
        shell.run_cell(source, store_history=True, cell_id="bench-cell")
        times.append(time.perf_counter() - start)
    return times


def measure(shell: Any, source: str, cells: int, blocks: int) -> dict[str, list[float]]:
    import nbvc

    samples: dict[str, list[float]] = {"off": [], "on": []}
    for block in range(blocks * 2):
        enabled = block % 2 == 1
        if enabled:
            nbvc.load_ipython_extension(shell)
        time_cells(shell, source, 20)  # warm up this state
        samples["on" if enabled else "off"] += time_cells(shell, source, cells // blocks)
        if enabled:
            nbvc.unload_ipython_extension(shell)  # flushes the record writer
    return samples


def summary(samples: dict[str, list[float]]) -> dict[str, float]:
    def q(values: list[float], p: float) -> float:
        return statistics.quantiles(values, n=100)[int(p) - 1] * 1e6

    off, on = samples["off"], samples["on"]
    return {
        "cells_each": len(off),
        "median_off_us": statistics.median(off) * 1e6,
        "median_on_us": statistics.median(on) * 1e6,
        "overhead_median_us": (statistics.median(on) - statistics.median(off)) * 1e6,
        "p90_off_us": q(off, 90),
        "p90_on_us": q(on, 90),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=2000, help="cells per state (default 2000)")
    parser.add_argument("--blocks", type=int, default=6, help="alternations (default 6)")
    parser.add_argument("--tracked-files", type=int, default=20)
    parser.add_argument("--folder-files", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="nbvc-bench-kernel-") as tmp:
        os.environ["IPYTHONDIR"] = os.path.join(tmp, "ipython")
        root = os.path.join(tmp, "repo")
        make_repo(root, args.tracked_files, args.folder_files)
        os.chdir(root)
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance()
        results = {
            "trivial cell": summary(measure(shell, TRIVIAL, args.cells, args.blocks)),
            "cell reading a file": summary(
                measure(shell, READS_FILE, args.cells // 4, args.blocks)
            ),
        }
        from nbvc.core.repo import Repo

        with Repo(root) as repo:
            recorded = len(repo.records.ids("lineage"))
        os.chdir(os.path.dirname(tmp))  # out of the folder about to be removed
        if shell.history_manager is not None:
            shell.history_manager.end_session()
    results_doc = {
        "results": results,
        "lineage_records": recorded,
        "python": sys.version.split()[0],
    }
    if args.json:
        print(json.dumps(results_doc, indent=2))
        return 0
    print(
        f"{'case':<22} {'cells':>6} {'median off':>11} {'median on':>10} {'overhead':>9} "
        f"{'p90 off':>8} {'p90 on':>8}   (microseconds per cell)"
    )
    for name, r in results.items():
        print(
            f"{name:<22} {r['cells_each']:>6.0f} {r['median_off_us']:>11.1f} "
            f"{r['median_on_us']:>10.1f} {r['overhead_median_us']:>9.1f} "
            f"{r['p90_off_us']:>8.1f} {r['p90_on_us']:>8.1f}"
        )
    print(f"lineage records written: {recorded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
