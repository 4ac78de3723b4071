"""Runs as the notebook sees them: what ``repo.runs`` lists, and ``current`` as a reference to
this kernel's own open run (every other reference is resolved by the engine)."""

from __future__ import annotations

from nbvc.core import NbvcError, RefError, Repo, RunRecord, active_run

CURRENT = "current"  # this kernel's open run


def load_runs(
    repo: Repo, limit: int | None = None, sort: str | None = None, ascending: bool = False
) -> list[RunRecord]:
    """Runs newest first (open ones on top), or by a metric, best first."""
    if limit is not None and limit < 1:
        raise NbvcError("the number of runs to show must be at least 1")
    return repo.runs.query(limit, sort, ascending, "`%runs`")


def kernel_ref(ref: str | None) -> str | None:
    """``ref`` for the engine: ``current`` becomes the id of this kernel's open run."""
    if ref != CURRENT:
        return ref
    run = active_run()
    if run is None:
        raise RefError("this kernel has no open run: log with nbvc.log_metric first")
    return run.id
