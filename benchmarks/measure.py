"""Run one command as a user would and measure it from the outside.

Wall time is taken around the whole child (interpreter start-up included: that is what a user
waits for). Peak memory comes from ``wait4``: the kernel reports the largest resident set of the
child and of every descendant it waited for, so a tool that forks helpers (DVC runs git) is
covered too.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

LOG_TAIL_BYTES = 3000


@dataclass(frozen=True)
class Command:
    argv: list[str]
    cwd: Path


@dataclass(frozen=True)
class Measurement:
    seconds: float
    max_rss_kib: int


class CommandFailedError(RuntimeError):
    """A benchmarked or set-up command exited non-zero; the message carries its log tail."""


def run_measured(command: Command, env: dict[str, str], log: Path) -> Measurement:
    """Run ``command`` with output appended to ``log``; raise if it fails."""
    with open(log, "ab") as out:
        out.write(f"\n$ cd {command.cwd} && {shlex.join(command.argv)}\n".encode())
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(
            command.argv,
            cwd=command.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise CommandFailedError(
            f"`{shlex.join(command.argv)}` in {command.cwd} exited {proc.returncode}; "
            f"end of {log}:\n{_tail(log)}"
        )
    return Measurement(seconds, usage.ru_maxrss)


def _tail(log: Path) -> str:
    with open(log, "rb") as handle:
        handle.seek(max(0, log.stat().st_size - LOG_TAIL_BYTES))
        return handle.read().decode(errors="replace")
