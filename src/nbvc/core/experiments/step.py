"""``nbvc exp step STAGE``: one stage run as an experiment task against the remote, in the current
folder's code: what each component of a Kubeflow export runs (see :mod:`nbvc.core.export.kubeflow`).

Its inputs are the versions of outs upstream steps made (``--inputs`` JSON, as their ``--outs-file``
wrote it); it fetches them and the tracked data from the default remote, runs only this stage with
the given params in a folder of its own, pushes the outputs and the run record, and writes the
versions of the stage's outs for the steps after it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from nbvc.core.errors import ExperimentError
from nbvc.core.experiments import snapshot as code_snapshot
from nbvc.core.experiments.sweep_spec import Point, parse_axis
from nbvc.core.experiments.task import ExpTask, RemoteStore
from nbvc.core.formats import limits
from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import RunRecord, RunStatus, write_run
from nbvc.core.storage.fsutil import atomic_write_text
from nbvc.core.storage.record_store import new_id

STEP_SWEEP = "kubeflow"


def run_step(
    repo: Repo,
    stage: str,
    set_params: Sequence[str],
    inputs: Sequence[str],
    outs_file: str | None = None,
) -> RunRecord:
    from nbvc.core.experiments.sweep import store_for
    from nbvc.core.experiments.worker import run_task

    point: Point = {}
    for text in set_params:
        axis = parse_axis(text)
        if len(axis.values) != 1:
            raise ExperimentError(f"-S {text!r}: a step takes one value per param")
        point.setdefault(axis.file, {})[axis.key] = axis.values[0]
    given: dict[str, dict[str, Any]] = {}
    for text in inputs:
        found = limits.load_json(text, "--inputs")
        if not isinstance(found, dict) or not all(
            isinstance(out, dict) and isinstance(out.get("oid"), str) for out in found.values()
        ):
            raise ExperimentError(f"--inputs {text[:80]!r} is not the JSON a step wrote")
        given.update(found)
    store = store_for(repo, local=False)
    assert isinstance(store, RemoteStore)
    snapshot = code_snapshot.take(repo)
    task = ExpTask(
        exp_id=new_id(),
        name=f"step-{stage}",
        sweep_id=STEP_SWEEP,
        point=point,
        targets=(stage,),
        tags=(),
        code=snapshot.describe(),
        store=store,
        inputs=given,
        single_item=True,
    )
    run = write_run(repo, RunRecord.from_record(run_task(task, snapshot).record))
    if run.status != RunStatus.COMPLETED:
        error = (run.extra.get("experiment") or {}).get("error", "see its log")
        raise ExperimentError(f"stage {stage} failed in run {run.short_id}: {error}")
    if outs_file is not None:
        outs = (run.stages.get(stage) or {}).get("outs") or {}
        os.makedirs(os.path.dirname(os.path.abspath(outs_file)), exist_ok=True)
        atomic_write_text(outs_file, json.dumps(outs, sort_keys=True))
    return run
