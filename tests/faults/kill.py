"""Running `nbvc` as a real process with a kill -9 planted in it (see launcher.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

LAUNCHER = Path(__file__).with_name("launcher.py")


def nbvc_run(
    args: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`nbvc ARGS` through the launcher, in its own process group (a kill takes its children)."""
    return subprocess.run(
        [sys.executable, str(LAUNCHER), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
        check=False,
    )


def killed_at(function: str, args: list[str], cwd: Path, nth: int = 1) -> None:
    """Run `nbvc ARGS`, killed on the ``nth`` call of ``module:attribute``; it must die there."""
    done = nbvc_run(args, cwd, {"NBVC_FAULT_AT": f"{function}:{nth}"})
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr)
