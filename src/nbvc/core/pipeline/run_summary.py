"""Finishing a repro's run: gather params, metrics, plots and logged values into its record."""

from __future__ import annotations

import time
from typing import Any

from nbvc.core.errors import NbvcError
from nbvc.core.pipeline.definition import Pipeline
from nbvc.core.pipeline.dvclive import dvclive_values
from nbvc.core.pipeline.loader import workspace_reader
from nbvc.core.pipeline.outcome import RAN, RESTORED
from nbvc.core.pipeline.plot_files import plot_files, workspace_files
from nbvc.core.pipeline.values import metrics_of, params_of
from nbvc.core.repo import Repo
from nbvc.core.runs.environment import environment
from nbvc.core.runs.journal import Journal, with_logged
from nbvc.core.runs.logging import git_diff_artifact
from nbvc.core.runs.names import readable_name
from nbvc.core.runs.run_record import PlotFile, RunRecord, RunStatus, write_run
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
    _, logged = journal.folded()
    problems: list[str] = []  # params or metrics files that cannot be read: the run is kept
    fresh = _fresh_outs(pipeline, stages) if status is not RunStatus.COMPLETED else None
    live_metrics, live_series = dvclive_values(repo.root, pipeline)
    found = {**live_metrics, **metrics_of(pipeline, read, problems)}
    if fresh is not None:  # a failed run shows no metrics an earlier run left in the workspace
        found = {file: values for file, values in found.items() if _is_fresh(file, fresh)}
        live_series = {}
    params, metrics = with_logged(params_of(pipeline, read, problems), found, logged)
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
            name=logged.name or readable_name(run_id),
            tags=logged.tags,
            note=logged.note,
            artifacts=(*logged.artifacts, *git_diff_artifact(repo)),
            pipeline=pipeline.file,
            targets=tuple(targets),
            params=params,
            metrics=metrics,
            series={**live_series, **logged.series},
            plots=_plots(repo, pipeline, pool, problems, fresh),
            plot_defs=plot_defs_entry(pipeline),
            stages=stages,
            extra={"warnings": problems} if problems else {},
        ),
    )
    journal.remove()
    return record


def _fresh_outs(pipeline: Pipeline, stages: dict[str, dict[str, Any]]) -> set[str]:
    """Outs that this run made or restored (those of stages that ran or were restored), and
    the files inside them."""
    return {
        out.path
        for stage, out in pipeline.all_outs()
        if (stages.get(stage.name) or {}).get("status") in (RAN, RESTORED)
    }


def _is_fresh(path: str, fresh: set[str] | None) -> bool:
    return fresh is None or any(path == out or path.startswith(out + "/") for out in fresh)


def _plots(
    repo: Repo, pipeline: Pipeline, pool: Pool, problems: list[str], fresh: set[str] | None
) -> tuple[PlotFile, ...]:
    """Every file the pipeline's plots draw, as stored objects, so the run can be plotted
    later (the definitions are kept in ``plot_defs``); for a run that did not complete, only
    the files it made. One that cannot be stored is left out and said why in ``problems``
    (the run is recorded all the same)."""
    is_file, files_under = workspace_files(repo.root)
    plots: dict[str, PlotFile] = {}
    for plot in pipeline.plot_defs():
        for path in plot_files(plot, is_file, files_under):
            if path in plots or not _is_fresh(path, fresh):
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
