"""Running a stage's commands with their output streamed live to a callback.

Commands are user-authored pipeline config; like DVC they run through the user's shell (``$SHELL``,
else ``/bin/sh``) as ``shell -c CMD``. Only declared vars were interpolated into them (see
:mod:`nbvc.core.pipeline.interpolate`); nothing else is ever spliced into a command line.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import IO

OutputSink = Callable[[str, str], None]  # (stream name, text)

_SHELL_OPTIONS = {"bash": ["--noprofile", "--norc"], "zsh": ["--no-rcs"]}
_CHUNK = 8192


def shell_argv(command: str) -> list[str]:
    shell = os.environ.get("SHELL") or "/bin/sh"
    if not os.path.isabs(shell) or not os.access(shell, os.X_OK):
        shell = "/bin/sh"
    return [shell, *_SHELL_OPTIONS.get(os.path.basename(shell), []), "-c", command]


def run_commands(
    commands: Sequence[str],
    cwd: str,
    env: Mapping[str, str],
    sink: OutputSink,
) -> tuple[int, str | None]:
    """Run ``commands`` in order, stopping at the first failure.

    Returns ``(exit code, failed command)``; ``(0, None)`` when all succeeded.
    """
    for command in commands:
        sink("command", command)
        code = run_argv(shell_argv(command), cwd, env, sink)
        if code != 0:
            return code, command
    return 0, None


def run_argv(argv: Sequence[str], cwd: str, env: Mapping[str, str], sink: OutputSink) -> int:
    """Run one program (no shell), streaming its output; returns its exit code.

    The program leads a process group of its own, so :func:`kill_running` (an experiment being
    cancelled) and an interrupt reach everything it started.
    """
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    thread = threading.get_ident()
    with _LIVE_LOCK:
        _LIVE.setdefault(thread, set()).add(process)
    assert process.stdout is not None and process.stderr is not None
    readers = [
        threading.Thread(target=_pump, args=(stream, name, sink), daemon=True)
        for stream, name in ((process.stdout, "stdout"), (process.stderr, "stderr"))
    ]
    for reader in readers:
        reader.start()
    try:
        code = process.wait()
    except KeyboardInterrupt:
        _interrupt(process)
        raise
    finally:
        with _LIVE_LOCK:
            _LIVE[thread].discard(process)
        for reader in readers:
            reader.join()
    return code


INTERRUPT_GRACE = 3.0  # seconds a command has to stop after Ctrl-C before it is killed
_LIVE: dict[int, set[subprocess.Popen[bytes]]] = {}  # thread id -> its running commands
_LIVE_LOCK = threading.Lock()


def kill_running(thread: int) -> int:
    """Kill (SIGKILL, whole process groups) the commands that thread ``thread`` is running;
    returns how many. The stage then fails with the signal as its exit code."""
    with _LIVE_LOCK:
        processes = list(_LIVE.get(thread, ()))
    for process in processes:
        _signal_group(process, signal.SIGKILL)
    return len(processes)


def _interrupt(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C: SIGINT to the command's process group, as a terminal would send it. Whatever
    still runs after :data:`INTERRUPT_GRACE` seconds, and anything the command started that
    ignores SIGINT (it would keep the output pipes, and so the repro, open), is killed."""
    try:
        _signal_group(process, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=INTERRUPT_GRACE)
    finally:  # a second Ctrl-C during the grace time kills at once
        _signal_group(process, signal.SIGKILL)
        process.wait()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _pump(stream: IO[bytes], name: str, sink: OutputSink) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    fd = stream.fileno()
    while chunk := os.read(fd, _CHUNK):
        text = decoder.decode(chunk)
        if text:
            sink(name, text)
    tail = decoder.decode(b"", final=True)
    if tail:
        sink(name, tail)
    stream.close()
