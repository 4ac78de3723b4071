"""Repository locks.

``lock``: one writer at a time for history and pointers. ``gc.lock``: shared by every operation
that puts objects into the cache before recording what references them (add, fetch), exclusive
for gc, so gc never deletes an object that such an operation is about to reference.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from nbvc.core.errors import LockTimeoutError


@contextmanager
def repo_lock(path: str, timeout: float = 120.0, shared: bool = False) -> Iterator[None]:
    """Hold a flock on ``path`` (exclusive unless ``shared``); waits up to ``timeout`` seconds."""
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeoutError(
                        f"another nbvc process has held {path} for {timeout:.0f} s; "
                        "wait for it to finish, or stop it and try again"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
