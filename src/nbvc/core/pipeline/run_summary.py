"""Finishing a repro's run: gather params, metrics, plots and logged values into its record."""

from __future__ import annotations

import time
from typing import Any

from nbvc.core.errors import NbvcError
from nbvc.core.pipeline.definition import Pipeline
from nbvc.core.pipeline.loader import workspace_reader
from nbvc.core.pipeline.values import metrics_of, params_of
from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import Journal, environment, fold, with_logged, write_run
from nbvc.core.storage.pool import Pool


def finish_repro_run(
    repo: Repo,
    pipeline: Pipeline,
    run_id: str,
    journal: Journal,
    started: float,
    status: str,
    stages: dict[str, dict[str, Any]],
    targets: list[str],
    pool: Pool,
) -> dict[str, Any]:
    read = workspace_reader(repo.root)
    logged = fold(journal.events())
    problems: list[str] = []  # params or metrics files that cannot be read: the run is kept
    params, metrics = with_logged(
        params_of(pipeline, read, problems), metrics_of(pipeline, read, problems), logged
    )
    ended = time.time()
    record = write_run(
        repo,
        {
            "id": run_id,
            "source": "repro",
            "status": status,
            "started": started,
            "ended": ended,
            "duration": round(ended - started, 3),
            "env": environment(repo.root),
            "pipeline": pipeline.file,
            "targets": targets,
            "params": params,
            "metrics": metrics,
            "series": logged.series,
            "plots": _plots(repo, pipeline, pool, problems),
            "stages": stages,
            **({"warnings": problems} if problems else {}),
        },
    )
    journal.remove()
    return record


def _plots(repo: Repo, pipeline: Pipeline, pool: Pool, problems: list[str]) -> list[dict[str, Any]]:
    """Declared plot files as stored objects, so the run can be plotted later."""
    plots = []
    for out in pipeline.plot_outs():
        try:
            snapshot = repo.workspace.snapshot(out.path, pool, store=True)
        except NbvcError as exc:  # the run is recorded all the same
            problems.append(str(exc))
            continue
        if snapshot is not None and snapshot.kind == "file":
            plots.append({"path": out.path, "oid": snapshot.oid, "props": dict(out.plot)})
    return plots
