"""``repo.experiments``: sweeps as the front ends see them (run, show, cancel, remove, apply)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence

from nbvc.core.engine_options import ExpRunOptions
from nbvc.core.errors import ExperimentError, RunNotFoundError
from nbvc.core.experiments import sweep_state
from nbvc.core.experiments.apply import ApplyResult, apply_run
from nbvc.core.experiments.sweep import (
    NULL_SWEEP_LISTENER,
    SweepListener,
    SweepResult,
    request_cancel,
    run_sweep,
)
from nbvc.core.experiments.sweep_state import SweepView
from nbvc.core.experiments.table import SweepTable, build
from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import RunRecord, short_id
from nbvc.core.runs.run_tables import RUNS

NAMED_SWEEPS = 200  # finished sweeps searched by name


class Experiments:
    def __init__(self, repo: Repo) -> None:
        self._repo = repo

    def run(
        self, options: ExpRunOptions, listener: SweepListener = NULL_SWEEP_LISTENER
    ) -> SweepResult:
        """Run a sweep to its end (see :mod:`nbvc.core.experiments.sweep`)."""
        return run_sweep(self._repo, options, listener)

    def sweeps(self, limit: int | None = None) -> list[SweepView]:
        """Running sweeps, then finished ones, newest first."""
        running = list(reversed(sweep_state.running_ids(self._repo)))
        finished = sweep_state.finished_ids(self._repo, limit)
        ids = (running + [f for f in finished if f not in running])[:limit]
        return [sweep_state.load(self._repo, sweep_id) for sweep_id in ids]

    def sweep(self, ref: str | None = None) -> SweepView:
        """The sweep ``ref`` names (id, short id or name); None: the newest."""
        running = list(reversed(sweep_state.running_ids(self._repo)))
        if ref is None:
            newest = running or sweep_state.finished_ids(self._repo, 1)
            if not newest:
                raise RunNotFoundError("there are no sweeps yet; `nbvc exp run -S KEY=VALUES`")
            return sweep_state.load(self._repo, newest[0])
        candidates = running + sweep_state.finished_ids(self._repo)
        for sweep_id in candidates:
            if ref in (sweep_id, short_id(sweep_id)):
                return sweep_state.load(self._repo, sweep_id)
        for sweep_id in candidates[:NAMED_SWEEPS]:
            view = sweep_state.load(self._repo, sweep_id)
            if view.plan.get("name") == ref:
                return view
        raise RunNotFoundError(f"no sweep is called {ref!r}; `nbvc exp show --all` lists them")

    def table(self, ref: str | None = None, sort: str | None = None) -> SweepTable:
        return build(self._repo, self.sweep(ref), sort)

    def cancel(self, ref: str | None = None) -> list[str]:
        """Ask running sweeps to stop: queued points are not run, running commands are killed
        (on remote workers too). Returns the sweeps asked."""
        sweep_id = self.sweep(ref).id if ref is not None else None
        return request_cancel(self._repo, sweep_id)

    def remove(self, refs: Sequence[str]) -> list[str]:
        """Delete finished sweeps (with their experiments' runs); returns the run ids removed."""
        from nbvc.core.runs.run_index import RunIndex

        doomed: list[str] = []
        for ref in refs:
            view = self.sweep(ref)
            if view.status == sweep_state.RUNNING:
                raise ExperimentError(
                    f"sweep {view.name} is still running; `nbvc exp cancel {ref}` stops it"
                )
            doomed += [view.id, *(p["id"] for p in view.points)]
        for run_id in doomed:  # an edit record travels: a copy fetched again stays deleted
            with contextlib.suppress(RunNotFoundError):  # a point that never got a record
                self._repo.runs.delete(run_id)
        with self._repo.lock():
            for run_id in doomed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._repo.records.path(RUNS, run_id))
            index = RunIndex(self._repo)
            for run_id in doomed:
                index.forget(run_id)
        for view_id in {d for d in doomed if os.path.isdir(sweep_state.sweep_dir(self._repo, d))}:
            import shutil

            shutil.rmtree(sweep_state.sweep_dir(self._repo, view_id), ignore_errors=True)
        return doomed

    def step(
        self,
        stage: str,
        set_params: Sequence[str] = (),
        inputs: Sequence[str] = (),
        outs_file: str | None = None,
    ) -> RunRecord:
        """Run one stage against the remote (a Kubeflow component's command; see :mod:`.step`)."""
        from nbvc.core.experiments.step import run_step

        return run_step(self._repo, stage, set_params, inputs, outs_file)

    def apply(self, ref: str, force: bool = False) -> ApplyResult:
        """Restore everything run ``ref`` used and made (see :mod:`.apply`)."""
        return apply_run(self._repo, ref, force)
