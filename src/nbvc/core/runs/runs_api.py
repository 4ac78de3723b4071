"""``repo.runs``: the runs of a repo as the front ends see them.

Finished runs come from the index (their records are the truth), open ones from their journals;
references are resolved by :mod:`nbvc.core.runs.run_refs`, the same way for every front end.
"""

from __future__ import annotations

from typing import Any

from nbvc.core.repo import Repo
from nbvc.core.runs import listing
from nbvc.core.runs.run_index import RunIndex
from nbvc.core.runs.run_record import RunRecord, open_runs, read_run
from nbvc.core.runs.run_refs import RUNS_HINT, RunRef, find_run, latest_run, resolve_run
from nbvc.core.runs.table import sort_key


class Runs:
    def __init__(self, repo: Repo) -> None:
        self._repo = repo

    def get(self, ref: str, hint: str = RUNS_HINT) -> RunRecord:
        """The finished or open run ``ref`` names (id, short id, ``last~N``, ``name@alias``)."""
        return find_run(self._repo, ref, hint)

    def resolve(
        self, ref: str, *, workspace: bool = False, git: bool = False, hint: str = RUNS_HINT
    ) -> RunRef:
        """What ``ref`` names, where ``workspace`` and git revisions may be accepted too."""
        return resolve_run(self._repo, ref, workspace=workspace, git=git, hint=hint)

    def latest(self) -> RunRecord | None:
        return latest_run(self._repo)

    def open(self) -> list[RunRecord]:
        """Runs still being logged to (or interrupted: their process is gone)."""
        return list(open_runs(self._repo))

    def query(
        self,
        limit: int | None = None,
        sort: str | None = None,
        ascending: bool = False,
        listing_name: str = "`nbvc runs`",
    ) -> list[RunRecord]:
        """Runs newest first with the open ones on top, or by a metric (``name`` or
        ``file:name``), best first; ``listing_name`` is the command errors point to."""
        index = RunIndex(self._repo)
        key = sort_key(index, sort, listing_name) if sort else None
        records = [] if key else self.open()
        remaining = None if limit is None else max(limit - len(records), 0)
        ids = index.ids(key, ascending, remaining) if remaining != 0 else []
        records += [read_run(self._repo, run_id) for run_id in ids]
        return records[:limit] if limit else records

    def count(self) -> int:
        """Finished runs."""
        return listing.count(self._repo)

    def page(self, order: listing.RunOrder, offset: int, limit: int) -> list[dict[str, Any]]:
        """Summaries (openapi.yaml ``RunSummary``) of finished runs, from the index only."""
        return listing.page(self._repo, order, offset, limit)

    def value_keys(self) -> list[listing.RunKey]:
        """Every param and metric name some run has."""
        return listing.keys(self._repo)
