"""What the runs routes do: pages of runs, one run, params/metrics and their diff, plots.

Plain functions over an open :class:`~nbvc.core.repo.Repo`, like :mod:`nbvc.server.service`;
references (run ids, ``workspace``, git revisions) are checked with the same rule as version
refs before they reach the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nbvc.core.metrics.compare import WORKSPACE, diff_sides, resolve
from nbvc.core.metrics.plot_data import named_plot_specs
from nbvc.core.repo import Repo
from nbvc.core.runs import listing
from nbvc.core.runs.run_index import RunIndex, short_id
from nbvc.core.runs.run_record import RUNS, open_runs
from nbvc.server.errors import NOT_FOUND, ApiError
from nbvc.server.service import check_ref

Json = dict[str, Any]
PARAMS, METRICS = "params", "metrics"


def runs_page(repo: Repo, order: listing.RunOrder, offset: int, limit: int) -> Json:
    """A page of finished runs in ``order``, the runs still open, and every param/metric name."""
    return {
        "total": listing.count(repo),
        "offset": offset,
        "limit": limit,
        "runs": listing.page(repo, order, offset, limit),
        "active": [_active_summary(run) for run in open_runs(repo)],
        "keys": [key.to_json() for key in listing.keys(repo)],
    }


def _active_summary(run: dict[str, Any]) -> Json:
    return {
        "id": run["id"],
        "short_id": short_id(run["id"]),
        "source": run["source"],
        "status": run["status"],
        "started": run["started"],
        "ended": None,
        "duration": None,
        "git": None,
        "params": run["params"],
        "metrics": run["metrics"],
    }


def run_detail(repo: Repo, ref: str) -> Json:
    """One run (finished, or still open) by full id, unique prefix or short id."""
    run_id = RunIndex(repo).resolve(check_ref(ref))
    if run_id is not None:
        return _detail(repo.records.read(RUNS, run_id))
    for run in open_runs(repo):
        if ref in (run["id"], short_id(run["id"])):
            return _detail(run)
    raise ApiError(NOT_FOUND, f"no run {ref[:80]!r}; GET /nbvc/api/runs lists the runs")


def _detail(record: dict[str, Any]) -> Json:
    env = record.get("env") or {}
    return {
        "id": record["id"],
        "short_id": short_id(record["id"]),
        "source": record.get("source", "repro"),
        "status": record.get("status", "completed"),
        "started": record.get("started"),
        "ended": record.get("ended"),
        "duration": record.get("duration"),
        "git": env.get("git"),
        "env": env,
        "pipeline": record.get("pipeline"),
        "targets": record.get("targets") or [],
        "params": record.get("params") or {},
        "metrics": record.get("metrics") or {},
        "series": record.get("series") or {},
        "stages": record.get("stages") or {},
        "plots": [
            {"path": p["path"], "oid": p["oid"], "props": p.get("props") or {}}
            for p in record.get("plots") or ()
        ],
    }


def values(repo: Repo, what: str, ref: str | None) -> Json:
    """The params or metrics of a run, the workspace (default) or a git revision."""
    side = resolve(repo, _ref(ref), WORKSPACE)
    return {"ref": side.label, "kind": side.kind, "values": getattr(side, what)}


def values_diff(repo: Repo, what: str, a: str | None, b: str | None, show_all: bool) -> Json:
    """Params or metrics that differ between ``a`` (default the latest run) and ``b``."""
    old = resolve(repo, _ref(a), "last")
    new = resolve(repo, _ref(b), WORKSPACE)
    rows = diff_sides(old, new, what, show_all)
    return {"a": old.label, "b": new.label, "changes": [row.to_json() for row in rows]}


def plots(repo: Repo, refs: Sequence[str]) -> Json:
    """Vega-Lite specs (data inlined) for metric series and plot files of runs."""
    specs = named_plot_specs(repo, [check_ref(ref) for ref in refs])
    return {
        "plots": [
            {"id": plot_id, "title": str(spec.get("title") or plot_id), "spec": spec}
            for plot_id, spec in specs
        ]
    }


def _ref(ref: str | None) -> str | None:
    return None if ref is None else check_ref(ref)
