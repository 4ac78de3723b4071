"""Run `nbvc ARGS...` with a kill -9 planted in it: ``python launcher.py ARGS...``.

Every call of the filesystem and index primitives nbvc writes through is counted (``os.open``,
``write``, ``fsync``, ``rename``, ``replace``, ``link``, ``symlink``, ``unlink``, ``mkdir``,
``rmdir``, ``chmod``, ``copy_file_range``, ``sendfile`` and each index commit). The environment
says where to die:

* ``NBVC_FAULT_AT_CALL=K``: SIGKILL (the whole process group) just before the K-th counted call;
* ``NBVC_FAULT_AT=module:attribute[:N]``: SIGKILL on the N-th call (default 1) of that function;
* ``NBVC_FAULT_COUNT_FILE=path``: write the number of counted calls there at exit (a dry run
  tells the harness how many points there are to choose from).

This file is run as a script by the fault tests, in the repo under test: it imports only nbvc.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

COUNTED = (
    "open",
    "write",
    "fsync",
    "rename",
    "replace",
    "link",
    "symlink",
    "unlink",
    "mkdir",
    "rmdir",
    "chmod",
    "copy_file_range",
    "sendfile",
)
_lock = threading.Lock()
_calls = [0]  # counted calls so far, shared by every thread


def die() -> None:
    """kill -9 of this process and everything it started (it leads its own process group)."""
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def counted(fn: Callable[..., Any], kill_at: int | None) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            _calls[0] += 1
            now = _calls[0]
        if now == kill_at:
            die()
        return fn(*args, **kwargs)

    return wrapper


def plant_at_call(kill_at: int | None) -> None:
    for name in COUNTED:
        if hasattr(os, name):
            setattr(os, name, counted(getattr(os, name), kill_at))
    from nbvc.core.storage import index_db

    index_db._Transaction.__exit__ = counted(  # type: ignore[method-assign]
        index_db._Transaction.__exit__, kill_at
    )


def plant_at_function(spec: str) -> None:
    module_name, attribute, *nth = spec.split(":")
    owner: Any = importlib.import_module(module_name)
    *path, name = attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)
    wanted = int(nth[0]) if nth else 1
    seen = [0]

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        seen[0] += 1
        if seen[0] == wanted:
            die()
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def main() -> int:
    at_call = os.environ.get("NBVC_FAULT_AT_CALL")
    count_file = os.environ.get("NBVC_FAULT_COUNT_FILE")
    if at_call or count_file:
        plant_at_call(int(at_call) if at_call else None)
    if spec := os.environ.get("NBVC_FAULT_AT"):
        plant_at_function(spec)
    if count_file:
        atexit.register(lambda: _write_count(count_file))
    from nbvc.cli.main import main as nbvc_main

    return nbvc_main(sys.argv[1:])


def _write_count(path: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(str(_calls[0]))


if __name__ == "__main__":
    sys.exit(main())
