"""Runs as the notebook sees them: finished runs from the index plus runs still open (this
kernel's own run, while it logs), and params/metrics sides that may name an open run."""

from __future__ import annotations

from typing import Any

from nbvc.core.errors import NbvcError, RefError
from nbvc.core.metrics import compare
from nbvc.core.repo import Repo
from nbvc.core.runs import logging as runlog
from nbvc.core.runs.run_index import RunIndex, short_id
from nbvc.core.runs.run_record import RUNS, open_runs
from nbvc.core.runs.table import sort_key

CURRENT = "current"  # this kernel's open run

Record = dict[str, Any]


def load_runs(
    repo: Repo, limit: int | None = None, sort: str | None = None, ascending: bool = False
) -> list[Record]:
    """Runs newest first (open ones on top), or by a metric, best first."""
    if limit is not None and limit < 1:
        raise NbvcError("the number of runs to show must be at least 1")
    index = RunIndex(repo)
    key = sort_key(index, sort, "`%runs`") if sort else None
    records: list[Record] = [] if key else list(open_runs(repo))
    ids = index.ids(key, ascending, limit)
    records += [repo.records.read(RUNS, run_id) for run_id in ids]
    return records[:limit] if limit else records


def side(repo: Repo, ref: str | None, default: str) -> compare.Side:
    """What ``%metrics_diff``/``%params_diff`` compare: ``current`` (this kernel's run), an open
    run, a finished run, ``workspace`` or a git revision."""
    record = _open_run(repo, ref) if ref is not None else None
    if record is None:
        return compare.resolve(repo, ref, default)
    return compare.Side(
        short_id(record["id"]), "run", record.get("params") or {}, record.get("metrics") or {}
    )


def _open_run(repo: Repo, ref: str) -> Record | None:
    if ref == CURRENT:
        run = runlog.active_run()
        if run is None:
            raise RefError("this kernel has no open run: log with nbvc.log_metric first")
        ref = run.id
    matches = [
        r
        for r in open_runs(repo)
        if r["id"] == ref or r["id"].startswith(ref) or r["id"].endswith(ref)
    ]
    return matches[0] if len(matches) == 1 and len(ref) >= 4 else None
