"""What a run records of the machine and code it ran on (``nbvc runs show RUN --env``).

Python and OS, CPU, memory, GPUs (where ``nvidia-smi`` answers), every installed distribution
with its version, the git commit with a dirty flag, and the command line. The uncommitted diff
is not put in the record (it can be large): :func:`git_diff` gives it to the caller, which
stores it as the run's ``git.diff`` artifact. A run logged from code takes both when it starts,
on a thread (:class:`Capture`), as MLflow records the commit a run started from.
"""

from __future__ import annotations

import getpass
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import threading
from typing import Any

from nbvc.core.storage import gitio

GPU_QUERY_TIMEOUT = 3.0  # seconds: a hung driver must not hold up the end of a run


def environment(root: str, full: bool = True) -> dict[str, Any]:
    """The environment of this process; ``full=False``: only host, user, python and git (what
    older records held, cheap enough for every repro)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    env: dict[str, Any] = {
        "host": socket.gethostname(),
        "user": user,
        "python": platform.python_version(),
        "git": gitio.head(root),
    }
    if not full:
        return env
    env.update(
        {
            "python_implementation": platform.python_implementation(),
            "executable": sys.executable,
            "os": platform.platform(),
            "cpu": _cpu(),
            "cpu_count": os.cpu_count(),
            "memory_bytes": _memory(),
            "command": list(sys.argv),
            "packages": packages(),
        }
    )
    if gpus := _gpus():
        env["gpus"] = gpus
    if env["git"] is not None:
        env["git_dirty"] = bool(git_status(root))
        branch = _git_text(root, "rev-parse", "--abbrev-ref", "HEAD")
        if branch and branch != "HEAD":
            env["git_branch"] = branch
    return env


class Capture:
    """:func:`environment` and :func:`git_diff`, taken on a thread started with a run, so that
    neither the run's start nor its end waits for ``git`` (three or four processes, tens of
    ms). :meth:`taken` waits for it; if the thread failed, it is taken again in the caller,
    where an error shows."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._taken: tuple[dict[str, Any], bytes] | None = None
        self._thread = threading.Thread(target=self._take, name="nbvc-environment", daemon=True)
        self._thread.start()

    def _take(self) -> None:
        try:
            self._taken = (environment(self.root), git_diff(self.root))
        except Exception:
            self._taken = None

    def taken(self) -> tuple[dict[str, Any], bytes]:
        """The environment and the uncommitted diff (empty when clean)."""
        self._thread.join()
        return self._taken or (environment(self.root), git_diff(self.root))


def packages() -> dict[str, str]:
    """Every installed distribution (normalised name) and its version.

    Read from the names of the ``*.dist-info`` / ``*.egg-info`` folders on ``sys.path`` (one
    listing per folder: a few ms, where opening every distribution's metadata takes ~150 ms
    with a few hundred installed); the first on the path wins, as for imports.
    """
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            stem, dot, suffix = entry.rpartition(".")
            if not dot or suffix not in ("dist-info", "egg-info"):
                continue
            name, dash, version = stem.partition("-")
            if dash and version:
                found.setdefault(_normalised(name), version.split("-")[0])
    if not found:  # an unusual layout (zip imports, ...): ask importlib.metadata
        from importlib import metadata

        for dist in metadata.distributions():
            if dist.name:
                found.setdefault(_normalised(dist.name), str(dist.version))
    return dict(sorted(found.items()))


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def git_status(root: str) -> str:
    """``git status --porcelain`` of tracked files (empty when clean or outside git)."""
    return _git_text(root, "status", "--porcelain", "--untracked-files=no") or ""


def git_diff(root: str) -> bytes:
    """The uncommitted changes to tracked files (``git diff HEAD``); empty when clean."""
    if shutil.which("git") is None:
        return b""
    done = subprocess.run(
        ["git", "diff", "HEAD", "--no-color", "--no-ext-diff"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else b""


def _git_text(root: str, *args: str) -> str | None:
    if shutil.which("git") is None:
        return None
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace").strip()


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _gpus() -> list[dict[str, Any]]:
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        done = subprocess.run(
            [smi, "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True,
            check=False,
            timeout=GPU_QUERY_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    gpus = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) == 3:
            gpus.append({"name": parts[0], "memory": parts[1], "driver": parts[2]})
    return gpus
