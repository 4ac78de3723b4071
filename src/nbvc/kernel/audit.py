"""Catching the files a cell opens, renames and deletes, with a Python audit hook.

An audit hook cannot be removed once added, so one hook is installed per process and forwards
to the current :class:`FileEvents` collector, if any. It costs one dictionary lookup per audit
event while no cell runs. Only paths inside the repo are kept, minus nbvc's and git's folders,
hidden folders, caches and a virtualenv living inside the repo.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import Any

from nbvc.core import FileState, file_state

READ, WRITE = 1, 2
_SKIPPED_PARTS = frozenset({"__pycache__", "node_modules"})

Handler = Callable[["FileEvents", tuple[Any, ...]], None]


class FileEvents:
    """The repo files one cell touched: path -> READ/WRITE bits, and each file's state when the
    cell first touched it (to name the content read even if the cell overwrites it later, and to
    tell a deleted file from one that never existed)."""

    def __init__(self, root: str, skipped_prefixes: tuple[str, ...]) -> None:
        self.root = root
        self.prefix = root.rstrip(os.sep) + os.sep
        self.skipped_prefixes = skipped_prefixes
        self.touched: dict[str, int] = {}
        self.states: dict[str, FileState | None] = {}  # before the cell first opened each path

    def relative(self, raw: object) -> str | None:
        """The repo-relative POSIX path of an audited path argument, or None to ignore it."""
        if not isinstance(raw, str | bytes | os.PathLike):
            return None
        path = os.fsdecode(os.fspath(raw))
        if not os.path.isabs(path):
            path = os.path.join(os.getcwd(), path)
        path = os.path.normpath(path)
        if not path.startswith(self.prefix) or path.startswith(self.skipped_prefixes):
            return None
        rel = path[len(self.prefix) :]
        parts = rel.split(os.sep)
        if any(part.startswith(".") or part in _SKIPPED_PARTS for part in parts[:-1]):
            return None
        return "/".join(parts)

    def note(self, raw: object, how: int) -> None:
        rel = self.relative(raw)
        if rel is not None:
            self.add(rel, how)

    def add(self, rel: str, how: int) -> None:
        """Note that the cell read or wrote the repo file ``rel`` (READ/WRITE bits)."""
        previous = self.touched.get(rel)
        if previous is None:
            if rel not in self.states:
                self.states[rel] = file_state(os.path.join(self.root, rel))
        elif not previous & READ:
            how &= ~READ  # reading back what the cell itself wrote is not an input
        self.touched[rel] = (previous or 0) | how

    def skips_folder(self, path: str) -> bool:
        """Whether files under the absolute folder ``path`` are never the cell's (nbvc's and
        git's folders, hidden ones, caches, a virtualenv inside the repo)."""
        if path == self.root:
            return False
        return self.relative(os.path.join(path, "_")) is None


def skipped_prefixes(root: str) -> tuple[str, ...]:
    """A virtualenv or conda env inside the repo is not data."""
    prefixes = {os.path.realpath(p) + os.sep for p in (sys.prefix, sys.exec_prefix)}
    return tuple(p for p in prefixes if p.startswith(root.rstrip(os.sep) + os.sep)) or ("\0",)


def _on_open(events: FileEvents, args: tuple[Any, ...]) -> None:
    path, _mode, flags = args[0], args[1], args[2] if len(args) > 2 else 0
    access = (flags or 0) & os.O_ACCMODE
    how = {os.O_RDONLY: READ, os.O_WRONLY: WRITE}.get(access, READ | WRITE)
    if how == READ and (flags or 0) & (os.O_CREAT | os.O_TRUNC):
        how = WRITE
    events.note(path, how)


def _on_rename(events: FileEvents, args: tuple[Any, ...]) -> None:
    events.note(args[0], WRITE)
    events.note(args[1], WRITE)


def _on_remove(events: FileEvents, args: tuple[Any, ...]) -> None:
    events.note(args[0], WRITE)


def _on_copy(events: FileEvents, args: tuple[Any, ...]) -> None:
    events.note(args[0], READ)
    events.note(args[1], WRITE)


_HANDLERS: dict[str, Handler] = {
    "open": _on_open,
    "os.rename": _on_rename,  # also os.replace
    "os.remove": _on_remove,  # also os.unlink
    "os.truncate": _on_remove,
    "os.link": _on_copy,
    "os.symlink": _on_copy,
    "shutil.copyfile": _on_copy,
    "shutil.move": _on_rename,
    "shutil.rmtree": _on_remove,
}


_events: FileEvents | None = None  # the collector of the running cell
_installed = False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    events = _events
    if events is None:
        return
    handler = _HANDLERS.get(event)
    if handler is not None:
        with contextlib.suppress(Exception):  # a tracer bug must never break the user's code
            handler(events, args)


def install() -> None:
    global _installed  # noqa: PLW0603 - sys.addaudithook is process-wide and permanent
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


def start(events: FileEvents) -> None:
    """Send audited file events to ``events`` until :func:`stop`."""
    global _events  # noqa: PLW0603
    _events = events


def stop() -> FileEvents | None:
    global _events
    events, _events = _events, None
    return events
