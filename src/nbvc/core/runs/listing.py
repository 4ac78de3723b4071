"""Pages of runs for tables (the JupyterLab panel, ``nbvc runs``), sorted, from the index only.

A page never opens a run record: the columns and the params and metrics of each run come from
the ``runs`` and ``run_values`` tables, so a page of 100 runs costs two queries however many
runs (or logged points) there are.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from nbvc.core.errors import NbvcError
from nbvc.core.repo import Repo
from nbvc.core.runs.run_index import RunIndex
from nbvc.core.runs.run_record import short_id
from nbvc.core.runs.search import RunFilter

COLUMN_SORTS = ("started", "ended", "duration", "status")
VALUE_SORTS = {"metric": "metric", "param": "param"}  # sort name -> run_values.kind
SORTS = (*COLUMN_SORTS, *VALUE_SORTS)


@dataclass(frozen=True)
class RunOrder:
    """How to order runs: by a column, or by a metric's or param's value (``name``, ``source``).

    Runs without the value come last whatever the direction; ties go newest first.
    """

    by: str = "started"
    ascending: bool = False
    name: str | None = None
    source: str | None = None  # the metrics/params file, or "logged"; None: any

    def __post_init__(self) -> None:
        if self.by not in SORTS:
            raise NbvcError(f"cannot sort runs by {self.by!r}; use one of {', '.join(SORTS)}")
        if self.by in VALUE_SORTS and not self.name:
            raise NbvcError(f"name the {self.by} to sort runs by")


@dataclass(frozen=True)
class RunKey:
    """A param or metric that some runs have, and how many."""

    kind: str  # param or metric
    source: str
    name: str
    runs: int

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "name": self.name, "runs": self.runs}


NAMED = "runs r LEFT JOIN run_names n ON n.run_id = r.id"  # with name, parent, deleted


def _where(search: RunFilter | None, deleted: bool) -> tuple[str, list[Any]]:
    condition, params = search.sql() if search is not None else ("1", [])
    return f"COALESCE(n.deleted, 0) = {int(deleted)} AND ({condition})", params


def count(repo: Repo, search: RunFilter | None = None, deleted: bool = False) -> int:
    where, params = _where(search, deleted)
    row = RunIndex(repo).index.execute(f"SELECT COUNT(*) FROM {NAMED} WHERE {where}", params)
    return int(row.fetchone()[0])


def page(
    repo: Repo,
    order: RunOrder,
    offset: int,
    limit: int | None,
    search: RunFilter | None = None,
    deleted: bool = False,
) -> list[dict[str, Any]]:
    """Summaries of the runs at ``offset`` .. ``offset + limit`` in ``order`` (that match
    ``search``; the soft-deleted ones instead with ``deleted``)."""
    index = RunIndex(repo).index
    direction = "ASC" if order.ascending else "DESC"
    params: list[Any] = []
    join = ""
    if order.by in VALUE_SORTS:
        # one pass over the values' (kind, name) index, not one lookup per run
        match = "kind = ? AND name = ?"
        params += [VALUE_SORTS[order.by], order.name]
        if order.source is not None:
            match += " AND source = ?"
            params.append(order.source)
        join = (
            "LEFT JOIN (SELECT run_id, MAX(num) AS num FROM run_values "
            f"WHERE {match} GROUP BY run_id) v ON v.run_id = r.id"
        )
        key = "v.num"
    else:
        key = f"r.{order.by}"
    where, where_params = _where(search, deleted)
    sql = (
        "SELECT r.id, r.started, r.ended, r.duration, r.status, r.source, r.git, n.name, "
        f"n.parent, COALESCE(n.deleted, 0), {key} AS k FROM {NAMED} {join} WHERE {where} "
        f"ORDER BY k IS NULL, k {direction}, r.started DESC, r.id DESC LIMIT ? OFFSET ?"
    )
    rows = index.execute(sql, [*params, *where_params, limit or -1, offset]).fetchall()
    values = _values(repo, [row[0] for row in rows])
    return [_summary(row, values[row[0]]) for row in rows]


def _summary(row: tuple[Any, ...], values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    run_id, started, ended, duration, status, source, git, name, parent, deleted = row[:10]
    return {
        "id": run_id,
        "short_id": short_id(run_id),
        "source": source,
        "status": status,
        "started": started,
        "ended": ended,
        "duration": duration,
        "git": git,
        "name": name,
        "tags": {k: str(v) for k, v in values["tag"].get("", {}).items()},
        "parent": parent,
        "deleted": bool(deleted),
        "params": values["param"],
        "metrics": values["metric"],
    }


def keys(repo: Repo) -> list[RunKey]:
    """Every param and metric name logged or recorded in any run, sorted."""
    rows = RunIndex(repo).index.execute(
        "SELECT kind, source, name, COUNT(*) FROM run_values WHERE kind != 'tag' "
        "GROUP BY kind, source, name "
        "ORDER BY kind, source, name"
    )
    return [RunKey(kind, source, name, int(runs)) for kind, source, name, runs in rows]


def _values(repo: Repo, run_ids: list[str]) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """run id -> param|metric -> source -> name -> value."""
    found: dict[str, dict[str, dict[str, dict[str, Any]]]] = defaultdict(
        lambda: {"param": {}, "metric": {}, "tag": {}}
    )
    if not run_ids:
        return found
    marks = ", ".join("?" for _ in run_ids)
    rows = RunIndex(repo).index.execute(
        f"SELECT run_id, kind, source, name, value FROM run_values WHERE run_id IN ({marks}) "
        "ORDER BY run_id, kind, source, name",
        run_ids,
    )
    for run_id, kind, source, name, value in rows:
        found[run_id][kind].setdefault(source, {})[name] = json.loads(value)
    return found
