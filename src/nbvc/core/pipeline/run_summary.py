"""Finishing a repro's run: gather params, metrics, plots and logged values into its record."""

from __future__ import annotations

import time
from typing import Any

from nbvc.core.errors import NbvcError
from nbvc.core.pipeline.definition import Pipeline
from nbvc.core.pipeline.dvclive import dvclive_values
from nbvc.core.pipeline.loader import workspace_reader
from nbvc.core.pipeline.plot_files import plot_files, workspace_files
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
    problems: list[str] = []  # params or metrics files that cannot be read: the run is kept
    live_metrics, live_series = dvclive_values(repo.root, pipeline)
    metrics = {**live_metrics, **metrics_of(pipeline, read, problems)}
    params, metrics = with_logged(params_of(pipeline, read, problems), metrics, logged)
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
            series={**live_series, **logged.series},
            plots=_plots(repo, pipeline, pool, problems),
            plot_defs=plot_defs_entry(pipeline),
            stages=stages,
            extra={"warnings": problems} if problems else {},
        ),
    )
    journal.remove()
    return record


def _plots(repo: Repo, pipeline: Pipeline, pool: Pool, problems: list[str]) -> tuple[PlotFile, ...]:
    """Every file the pipeline's plots draw, as stored objects, so the run can be plotted
    later (the definitions are kept in ``plot_defs``); one that cannot be stored is left out
    and said why in ``problems`` (the run is recorded all the same)."""
    is_file, files_under = workspace_files(repo.root)
    plots: dict[str, PlotFile] = {}
    for plot in pipeline.plot_defs():
        for path in plot_files(plot, is_file, files_under):
            if path in plots:
                continue
            try:
                snapshot = repo.workspace.snapshot(path, pool, store=True)
            except NbvcError as exc:
                problems.append(str(exc))
                continue
            if snapshot is not None and snapshot.kind == "file":
                plots[path] = PlotFile(path, snapshot.oid)
    return tuple(plots.values())


def plot_defs_entry(pipeline: Pipeline) -> tuple[dict[str, Any], ...]:
    """How a run record keeps the pipeline's plot definitions."""
    return tuple(
        {"id": p.id, "props": dict(p.props), "is_path": p.is_path} for p in pipeline.plot_defs()
    )
