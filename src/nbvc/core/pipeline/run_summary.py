"""Finishing a repro's run: gather params, metrics, plots and logged values into its record."""

from __future__ import annotations

import time
from typing import Any

from nbvc.core.pipeline.definition import Pipeline
from nbvc.core.pipeline.loader import workspace_reader
from nbvc.core.pipeline.outcome import RAN, RESTORED
from nbvc.core.pipeline.values import metrics_of, params_of
from nbvc.core.repo import Repo
from nbvc.core.runs.environment import environment
from nbvc.core.runs.logging import git_diff_artifact
from nbvc.core.runs.names import readable_name
from nbvc.core.runs.run_record import (
    Journal,
    PlotFile,
    RunRecord,
    RunStatus,
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
    fresh = _fresh_outs(pipeline, stages) if status is not RunStatus.COMPLETED else None
    found = metrics_of(pipeline, read)
    if fresh is not None:  # a failed run shows no metrics an earlier run left in the workspace
        found = {file: values for file, values in found.items() if file in fresh}
    params, metrics = with_logged(params_of(pipeline, read), found, logged)
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
            series=logged.series,
            plots=_plots(repo, pipeline, pool, fresh),
            stages=stages,
        ),
    )
    journal.remove()
    return record


def _fresh_outs(pipeline: Pipeline, stages: dict[str, dict[str, Any]]) -> set[str]:
    """Outs that this run made or restored (those of stages that ran or were restored)."""
    return {
        out.path
        for stage, out in pipeline.all_outs()
        if (stages.get(stage.name) or {}).get("status") in (RAN, RESTORED)
    }


def _plots(
    repo: Repo, pipeline: Pipeline, pool: Pool, fresh: set[str] | None
) -> tuple[PlotFile, ...]:
    """Declared plot files as stored objects, so the run can be plotted later (for a run that
    did not complete, only those it made)."""
    plots = []
    for out in pipeline.plot_outs():
        if fresh is not None and out.path not in fresh:
            continue
        snapshot = repo.workspace.snapshot(out.path, pool, store=True)
        if snapshot is not None and snapshot.kind == "file":
            plots.append(PlotFile(out.path, snapshot.oid, dict(out.plot)))
    return tuple(plots)
