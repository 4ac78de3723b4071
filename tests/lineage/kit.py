"""Helpers for lineage tests without a kernel: cells recorded the way the tracer records them."""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Sequence

from nbvc.core.lineage.cell_record import CellRecord, FileAccess
from nbvc.core.lineage.files import describe
from nbvc.core.lineage.store import save, source_oid
from nbvc.core.repo import Repo
from nbvc.core.storage.record_store import new_id

_clock = itertools.count(1)


def run_cell(
    repo: Repo,
    source: str,
    *,
    session: str = "session-1",
    cell_id: str | None = None,
    notebook: str | None = "nb.ipynb",
    reads: Sequence[str] = (),
    success: bool = True,
    cwd: str = "",
) -> CellRecord:
    """Execute ``source`` (Python) in the repo folder ``cwd`` and record it as a cell run.

    Files in ``reads`` are named as read before the code runs; every file the code leaves
    changed is taken as written (compared by content).
    """
    before = _contents(repo)
    read = describe(repo, dict.fromkeys(reads))
    namespace = _namespaces.setdefault((repo.root, session), {})
    previous = os.getcwd()
    os.chdir(os.path.join(repo.root, cwd))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # cells write open(...).write(...)
            if success:  # a failed cell is pretended to fail before doing anything
                exec(compile(source, "<cell>", "exec"), namespace)
    finally:
        os.chdir(previous)
    after = _contents(repo)
    changed = [p for p in sorted(set(before) | set(after)) if before.get(p) != after.get(p)]
    written = describe(repo, dict.fromkeys(changed))
    tick = float(next(_clock))
    cell = CellRecord(
        id=new_id(),
        session=session,
        notebook=notebook,
        cell_id=cell_id,
        execution_count=int(tick),
        source_oid=source_oid(source),
        cwd=cwd,
        started=tick,
        ended=tick + 0.5,
        success=success,
        reads=tuple(read.values()),
        writes=tuple(written.values()),
    )
    save(repo, [(cell, source)])
    return cell


_namespaces: dict[tuple[str, str], dict[str, object]] = {}


def _contents(repo: Repo) -> dict[str, bytes]:
    found = {}
    for folder, dirs, files in os.walk(repo.root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        for name in files:
            if name.endswith(".nbvc") or name.startswith("."):
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, repo.root).replace(os.sep, "/")] = handle.read()
    return found


def access(repo: Repo, path: str) -> FileAccess:
    return describe(repo, {path: None})[path]
