"""Finishing a repro's run: gather params, metrics, plots and logged values into its record."""

from __future__ import annotations

import time
from typing import Any

from nbvc.core.pipeline.definition import Pipeline
from nbvc.core.pipeline.loader import workspace_reader
from nbvc.core.pipeline.values import metrics_of, params_of
from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import (
    Journal,
    PlotFile,
    RunRecord,
    RunStatus,
    environment,
    fold,
    with_logged,
    write_run,
)
from nbvc.core.storage.pool import Pool


def finish_repro_run(
    repo: Repo,
    pipeline: Pipeline,
    run_id: str,
    journal: Journal,
    started: float,
    status: RunStatus,
    stages: dict[str, dict[str, Any]],
    targets: list[str],
    pool: Pool,
) -> RunRecord:
    read = workspace_reader(repo.root)
    logged = fold(journal.events())
    params, metrics = with_logged(params_of(pipeline, read), metrics_of(pipeline, read), logged)
    ended = time.time()
    record = write_run(
        repo,
        RunRecord(
            id=run_id,
            source="repro",
            status=status,
            started=started,
            ended=ended,
            duration=round(ended - started, 3),
            env=environment(repo.root),
            pipeline=pipeline.file,
            targets=tuple(targets),
            params=params,
            metrics=metrics,
            series=logged.series,
            plots=_plots(repo, pipeline, pool),
            stages=stages,
        ),
    )
    journal.remove()
    return record


def _plots(repo: Repo, pipeline: Pipeline, pool: Pool) -> tuple[PlotFile, ...]:
    """Declared plot files as stored objects, so the run can be plotted later."""
    plots = []
    for out in pipeline.plot_outs():
        snapshot = repo.workspace.snapshot(out.path, pool, store=True)
        if snapshot is not None and snapshot.kind == "file":
            plots.append(PlotFile(out.path, snapshot.oid, dict(out.plot)))
    return tuple(plots)
