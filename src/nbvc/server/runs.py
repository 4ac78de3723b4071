"""What the runs routes do: pages of runs, one run, params/metrics and their diff, plots.

Plain functions over an open :class:`~nbvc.core.Repo`, like :mod:`nbvc.server.service`;
references (run ids, ``workspace``, git revisions) are checked with the same rule as version
refs before they reach the engine, which resolves them as it does for every front end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nbvc.core import Repo, RunOrder, value_tone
from nbvc.server.service import check_run_ref

Json = dict[str, Any]
PARAMS, METRICS = "params", "metrics"
RUNS_HINT = "GET /nbvc/api/runs lists the runs"


def runs_page(
    repo: Repo,
    order: RunOrder,
    offset: int,
    limit: int,
    search: str | None = None,
    deleted: bool = False,
) -> Json:
    """A page of finished runs in ``order`` (those matching ``search``, or the deleted ones),
    the runs still open, and every param/metric name."""
    return {
        "total": repo.runs.count(search, deleted),
        "offset": offset,
        "limit": limit,
        "runs": repo.runs.page(order, offset, limit, search, deleted),
        "active": [run.summary_json() for run in repo.runs.open()] if not search else [],
        "keys": [key.to_json() for key in repo.runs.value_keys()],
    }


def run_detail(repo: Repo, ref: str) -> Json:
    """One run (finished, or still open) by id, unique prefix, short id or ``last~N``."""
    return repo.runs.get(check_run_ref(ref), RUNS_HINT).to_json()


def artifact_file(
    repo: Repo, ref: str, name: str, step: int | None, file: str | None
) -> tuple[str, str, bytes]:
    """A file a run logged (or one file of a logged folder): its name, media type, content."""
    return repo.runs.artifact_file(check_run_ref(ref), name, step, file)


def values(repo: Repo, what: str, ref: str | None) -> Json:
    """The params or metrics of a run, the workspace (default) or a git revision."""
    side = repo.metrics.side(_ref(ref))
    return {"ref": side.label, "kind": side.kind, "values": getattr(side, what)}


def values_diff(repo: Repo, what: str, a: str | None, b: str | None, show_all: bool) -> Json:
    """Params or metrics that differ between ``a`` (default the latest run) and ``b``; a
    metric's change has a ``tone`` (better or worse, by the metric's direction)."""
    compared = repo.metrics.diff(what, _ref(a), _ref(b), show_all)
    changes = [row.to_json() for row in compared.rows]
    if what == METRICS:
        config = repo.config.raw
        for change in changes:
            change["tone"] = value_tone(change["name"], change["change"], config)
    return {"a": compared.old.label, "b": compared.new.label, "changes": changes}


def plots(repo: Repo, refs: Sequence[str]) -> Json:
    """Vega-Lite specs (data inlined) for metric series and plot files of runs."""
    specs = repo.metrics.plots([check_run_ref(ref) for ref in refs])
    return {
        "plots": [
            {"id": plot_id, "title": str(spec.get("title") or plot_id), "spec": spec}
            for plot_id, spec in specs
        ]
    }


def _ref(ref: str | None) -> str | None:
    return None if ref is None else check_run_ref(ref)


def models(repo: Repo) -> Json:
    """Every registered model version (logged, and declared in the pipeline file)."""
    return {"models": [version.to_json() for version in repo.models.versions()]}
