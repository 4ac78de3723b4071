"""Per-cell overhead of `%load_ext nbvc` (magics + lineage tracer) in a Jupyter kernel.

Runs the same trivial cells with and without the extension, in alternating blocks (off, on,
off, on, ...) so that drift on a shared machine hits both alike, inside a temporary nbvc repo
that tracks some files and a folder (the tracer stats them after every cell). Reports the median
and p90 time per cell and the difference, which the design caps at 1 ms for a cell that touches
no files. A cell that reads a small file is timed too.

By default the cells go to a real ipykernel the way JupyterLab sends them (an execute request
with the cell id in its metadata, timed until the kernel reports idle again). ``--in-process``
runs them in an in-process IPython shell instead: no messaging, so it shows the tracer's own
cost, but also an artefact no kernel has: IPython's history thread fsyncs its SQLite file after
every cell, and in a shell that never releases the GIL it gets to run only every 5 ms; the
tracer's stat calls release the GIL, so the next cell waits for that fsync (~0.8 ms here; 0.08 ms
with ``HistoryManager.enabled = False``). A kernel releases the GIL on every message anyway.

``--no-watch`` turns off the inotify watcher of the repo's folders (``NBVC_LINEAGE_WATCH=0``),
leaving the audit hook and the stat check of tracked paths, to compare the two.

    python benchmarks/bench_kernel_overhead.py [--cells 2000] [--blocks 6] [--in-process]
        [--no-watch] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from typing import Any, Protocol

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


class Cells(Protocol):
    """Where the cells run: ``run`` times one cell; ``extension`` loads or unloads nbvc."""

    def run(self, source: str) -> float: ...

    def extension(self, enabled: bool) -> None: ...


class InProcessShell:
    """An in-process IPython shell (``run_cell`` as a kernel calls it, stored in history)."""

    def __init__(self) -> None:
        from IPython.core.interactiveshell import InteractiveShell

        self.shell: Any = InteractiveShell.instance()  # IPython is untyped

    def run(self, source: str) -> float:
        start = time.perf_counter()
        self.shell.run_cell(source, store_history=True, cell_id="bench-cell")
        return time.perf_counter() - start

    def extension(self, enabled: bool) -> None:
        import nbvc

        if enabled:
            nbvc.load_ipython_extension(self.shell)
        else:
            nbvc.unload_ipython_extension(self.shell)  # flushes the record writer

    def close(self) -> None:
        if self.shell.history_manager is not None:
            self.shell.history_manager.end_session()


class Kernel:
    """A real ipykernel, sent execute requests the way JupyterLab sends them: the cell id in
    the metadata, the notebook path in ``JPY_SESSION_NAME``; a cell is done when the kernel
    reports idle again."""

    def __init__(self, root: str) -> None:
        from jupyter_client.manager import start_new_kernel

        env = {**os.environ, "JPY_SESSION_NAME": os.path.join(root, "bench.ipynb")}
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=root, env=env)

    def run(self, source: str) -> float:
        client = self.client
        content = {
            "code": source,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        message = client.session.msg("execute_request", content, metadata={"cellId": "bench"})
        msg_id = message["header"]["msg_id"]
        start = time.perf_counter()
        client.shell_channel.send(message)
        reply = client.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = client.get_shell_msg(timeout=60)
        while True:
            status = client.get_iopub_msg(timeout=60)
            if (
                status["parent_header"].get("msg_id") == msg_id
                and status["msg_type"] == "status"
                and status["content"]["execution_state"] == "idle"
            ):
                break
        took = time.perf_counter() - start
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{source!r} failed in the kernel: {reply['content']}")
        return took

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=False)

    def extension(self, enabled: bool) -> None:
        self.run("%load_ext nbvc" if enabled else "%unload_ext nbvc")


def measure(cells: Cells, source: str, count: int, blocks: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"off": [], "on": []}
    for block in range(blocks * 2):
        enabled = block % 2 == 1
        if enabled:
            cells.extension(True)
        for _ in range(20):  # warm up this state
            cells.run(source)
        samples["on" if enabled else "off"] += [cells.run(source) for _ in range(count // blocks)]
        if enabled:
            cells.extension(False)
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
    parser.add_argument("--in-process", action="store_true", help="an IPython shell, no kernel")
    parser.add_argument("--no-watch", action="store_true", help="without the inotify watcher")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    os.environ["NBVC_LINEAGE_WATCH"] = "0" if args.no_watch else "1"

    with tempfile.TemporaryDirectory(prefix="nbvc-bench-kernel-") as tmp:
        os.environ["IPYTHONDIR"] = os.path.join(tmp, "ipython")
        root = os.path.join(tmp, "repo")
        make_repo(root, args.tracked_files, args.folder_files)
        os.chdir(root)
        cells: Kernel | InProcessShell = InProcessShell() if args.in_process else Kernel(root)
        try:
            results = {
                "trivial cell": summary(measure(cells, TRIVIAL, args.cells, args.blocks)),
                "cell reading a file": summary(
                    measure(cells, READS_FILE, args.cells // 4, args.blocks)
                ),
            }
        finally:
            cells.close()
        from nbvc.core.repo import Repo

        with Repo(root) as repo:
            recorded = len(repo.records.ids("lineage"))
        os.chdir(os.path.dirname(tmp))  # out of the folder about to be removed
    results_doc = {
        "results": results,
        "where": "in-process IPython shell" if args.in_process else "ipykernel",
        "watch": not args.no_watch,
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
    watcher = "inotify watcher off" if args.no_watch else "inotify watcher on"
    print(f"{results_doc['where']}, {watcher}; lineage records written: {recorded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
