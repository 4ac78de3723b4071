"""How to see every file a notebook cell touches: the candidates measured side by side.

For each way of catching file accesses, this script measures, in one process on this machine:

- coverage: which of a set of real library calls it sees (pandas' C parser, pyarrow parquet,
  numpy fromfile and memmap, h5py, a subprocess writing a file, a shell command reading one),
  each run between the mechanism's start and stop as a cell would be;
- cost: the median time of start + stop around a cell that touches no file (what every cell
  pays), and for the polling candidate the CPU its thread burns;
- set-up: the time to watch a project tree shaped like the engine benchmark's dataset A
  (20,000 files in 200 folders), for the candidates that watch folders.

Candidates: the Python audit hook (what nbvc had), inotify on the repo's folders (what nbvc now
uses beside the audit hook, :mod:`nbvc.kernel.inotify`), fanotify in the only mode an
unprivileged user gets (``FAN_REPORT_DFID_NAME`` with inode marks; mount and filesystem marks
need CAP_SYS_ADMIN, and events of other processes, children included, come with pid 0), and
polling ``/proc/self/fd`` from a thread every millisecond. An LD_PRELOAD shim is not measured: it
needs compiled code and sees only the subprocesses started with it, not the kernel's own C calls.

    python benchmarks/bench_file_tracing.py [--cells 20000] [--idle-seconds 1] [--json]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

CASES: dict[str, tuple[str, str]] = {  # name -> (code run as the cell, file it must report)
    "pandas read_csv (C engine)": ("pd.read_csv('in.csv', engine='c')", "in.csv"),
    "pyarrow parquet write": ("pd.DataFrame({'a': [1]}).to_parquet('out.parquet')", "out.parquet"),
    "pyarrow parquet read": ("pd.read_parquet('in.parquet')", "in.parquet"),
    "numpy fromfile": ("np.fromfile('in.bin')", "in.bin"),
    "numpy memmap (held open)": ("KEEP.append(np.memmap('mm.bin', mode='r'))", "mm.bin"),
    "h5py write": ("h5py.File('out.h5', 'w').close()", "out.h5"),
    "h5py read": ("h5py.File('in.h5', 'r').close()", "in.h5"),
    "subprocess writes a file": (
        "subprocess.run([sys.executable, '-c', \"open('sub.txt', 'w').write('x')\"], check=True)",
        "sub.txt",
    ),
    "shell command reads a file": (
        "subprocess.run('cat in.csv > /dev/null', shell=True, check=True)",
        "in.csv",
    ),
}


class Mechanism(Protocol):
    name: str

    def start(self) -> None: ...

    def stop(self) -> set[str]:
        """Base names of the files seen since :meth:`start`."""
        ...

    def close(self) -> None: ...


class AuditHook:
    name = "audit hook (Python open)"

    def __init__(self, root: str) -> None:
        self.seen: set[str] | None = None
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        seen = self.seen
        if seen is not None and event == "open" and isinstance(args[0], str | bytes):
            seen.add(os.path.basename(os.fsdecode(args[0])))

    def start(self) -> None:
        self.seen = set()

    def stop(self) -> set[str]:
        seen, self.seen = self.seen or set(), None
        return seen

    def close(self) -> None:
        self.seen = None  # an audit hook cannot be removed


class Inotify:
    name = "inotify on the repo's folders (nbvc)"

    def __init__(self, root: str) -> None:
        from nbvc.kernel.audit import FileEvents
        from nbvc.kernel.inotify import Observed, TreeWatcher

        self.root = root
        self._observed = Observed
        self.watcher = TreeWatcher(root, FileEvents(root, ("\0",)).skips_folder)

    def start(self) -> None:
        self.watcher.start(self._observed(self.root, ("\0",)))

    def stop(self) -> set[str]:
        observed = self.watcher.stop()
        assert observed is not None
        observed.finish(0)
        return {os.path.basename(p) for p in observed.touched}

    def close(self) -> None:
        self.watcher.close()


class Fanotify:
    """Unprivileged fanotify: directory file handle + name per event, inode marks only."""

    name = "fanotify, unprivileged mode (inode marks)"
    REPORT_DFID_NAME, EVENT_ON_CHILD, NONBLOCK = 0xC00, 0x08000000, 0x2
    EVENTS = 0x2 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200  # modify ... delete

    def __init__(self, root: str) -> None:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        self.fd = libc.fanotify_init(self.REPORT_DFID_NAME | self.NONBLOCK, os.O_RDONLY)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "fanotify_init")
        mask = ctypes.c_uint64(self.EVENTS | self.EVENT_ON_CHILD)
        for folder, _, _ in os.walk(root):
            if libc.fanotify_mark(self.fd, 1, mask, -100, os.fsencode(folder)) < 0:
                raise OSError(ctypes.get_errno(), "fanotify_mark")
        self.seen: set[str] | None = None

    def _drain(self) -> set[str]:
        names: set[str] = set()
        while True:
            try:
                buffer = os.read(self.fd, 65536)
            except BlockingIOError:
                return names
            offset = 0
            while offset < len(buffer):
                length, _, _, meta_len = struct.unpack_from("IBBH", buffer, offset)
                info = offset + meta_len  # info header (4), fsid (8), file_handle (8 + bytes)
                (handle_bytes,) = struct.unpack_from("I", buffer, info + 12)
                start = info + 20 + handle_bytes
                end = buffer.index(b"\0", start)
                names.add(os.fsdecode(buffer[start:end]))
                offset += length

    def start(self) -> None:
        self._drain()
        self.seen = set()

    def stop(self) -> set[str]:
        return self._drain()

    def close(self) -> None:
        os.close(self.fd)


class FdPolling:
    name = "polling /proc/self/fd every 1 ms"

    def __init__(self, root: str) -> None:
        self.root = root
        self.seen: set[str] | None = None
        self._running = True
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while self._running:
            seen = self.seen
            if seen is not None:
                for fd in os.listdir("/proc/self/fd"):
                    try:
                        target = os.readlink(f"/proc/self/fd/{fd}")
                    except OSError:
                        continue
                    if target.startswith(self.root):
                        seen.add(os.path.basename(target))
            time.sleep(0.001)

    def start(self) -> None:
        self.seen = set()

    def stop(self) -> set[str]:
        seen, self.seen = self.seen or set(), None
        return seen

    def close(self) -> None:
        self._running = False
        self._thread.join()


MECHANISMS: list[Callable[[str], Mechanism]] = [AuditHook, Inotify, Fanotify, FdPolling]


def prepare(root: str) -> dict[str, Any]:
    """Input files, and the namespace the cases run in."""
    import h5py
    import numpy as np
    import pandas as pd

    pd.DataFrame({"a": range(100)}).to_csv(os.path.join(root, "in.csv"), index=False)
    pd.DataFrame({"a": range(100)}).to_parquet(os.path.join(root, "in.parquet"))
    np.arange(100.0).tofile(os.path.join(root, "in.bin"))
    np.arange(100.0).tofile(os.path.join(root, "mm.bin"))
    h5py.File(os.path.join(root, "in.h5"), "w").close()
    return {"pd": pd, "np": np, "h5py": h5py, "subprocess": subprocess, "sys": sys, "KEEP": []}


def coverage(mechanism: Mechanism, namespace: dict[str, Any]) -> dict[str, bool]:
    found = {}
    for case, (code, expected) in CASES.items():
        mechanism.start()
        exec(code, namespace)
        found[case] = expected in mechanism.stop()
        namespace["KEEP"].clear()
    return found


def empty_cell_us(mechanism: Mechanism, count: int) -> float:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        mechanism.start()
        mechanism.stop()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def idle_cpu_percent(mechanism: Mechanism, seconds: float) -> float:
    """CPU the process burns while a cell sleeps (a polling thread's price)."""
    mechanism.start()
    before = time.process_time()
    time.sleep(seconds)
    used = time.process_time() - before
    mechanism.stop()
    return used / seconds * 100


def tree_setup_ms(make: Callable[[str], Mechanism], tree: str) -> float:
    start = time.perf_counter()
    mechanism = make(tree)
    took = (time.perf_counter() - start) * 1e3
    mechanism.close()
    return took


def make_tree(root: str, folders: int, files_per_folder: int) -> str:
    tree = os.path.join(root, "tree")
    for i in range(folders):
        folder = os.path.join(tree, f"g{i // 20}", f"d{i}")
        os.makedirs(folder)
        for j in range(files_per_folder):
            open(os.path.join(folder, f"f{j}.csv"), "w").close()
    return tree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=20_000, help="empty cells timed")
    parser.add_argument("--idle-seconds", type=float, default=1.0, help="a sleeping cell's length")
    parser.add_argument("--tree-folders", type=int, default=200, help="folders of the watched tree")
    parser.add_argument("--tree-files", type=int, default=100, help="files per folder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="nbvc-bench-tracing-") as tmp:
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        namespace = prepare(work)
        tree = make_tree(tmp, args.tree_folders, args.tree_files)
        previous = os.getcwd()
        os.chdir(work)
        try:
            for make in MECHANISMS:
                try:
                    mechanism = make(work)
                except OSError as exc:
                    results[getattr(make, "name", str(make))] = {"error": str(exc)}
                    continue
                try:
                    results[mechanism.name] = {
                        "coverage": coverage(mechanism, namespace),
                        "empty_cell_us": empty_cell_us(mechanism, args.cells),
                        "idle_cpu_percent": idle_cpu_percent(mechanism, args.idle_seconds),
                        "tree_setup_ms": (
                            tree_setup_ms(make, tree) if make in (Inotify, Fanotify) else None
                        ),
                    }
                finally:
                    mechanism.close()
        finally:
            os.chdir(previous)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(report(results))
    return 0


def report(results: dict[str, dict[str, Any]]) -> str:
    names = list(results)
    lines = ["| case | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for case in CASES:
        marks = [
            "seen" if results[n].get("coverage", {}).get(case) else "**missed**" for n in names
        ]
        lines.append(f"| {case} | " + " | ".join(marks) + " |")
    rows = {
        "start + stop, cell touching no file (median us)": "empty_cell_us",
        "CPU while a cell sleeps (%)": "idle_cpu_percent",
        "watching the tree of files (ms; default 20,000 in 200 folders)": "tree_setup_ms",
    }
    for label, key in rows.items():
        values = [results[n].get(key) for n in names]
        cells = [f"{v:.1f}" if isinstance(v, float) else "-" for v in values]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
