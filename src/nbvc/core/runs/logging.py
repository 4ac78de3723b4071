"""``nbvc.log_param``, ``nbvc.log_params``, ``nbvc.log_metric``: logging from code into runs.

Which run a call goes to:

1. the run opened in this process by :func:`start_run` (or created by an earlier call);
2. inside a stage that ``nbvc repro`` runs (a command or a notebook's kernel), the repro's run,
   named by the ``NBVC_RUN_ID`` and ``NBVC_ROOT`` environment variables;
3. otherwise a new run of this process, created on first use and ended when the process exits.

Calls append to the run's journal (cheap, safe from several processes); the run's immutable
record is written when it ends.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

from nbvc.core.errors import LoggingError
from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import (
    Journal,
    RunRecord,
    RunStatus,
    environment,
    fold,
    with_logged,
    write_run,
)
from nbvc.core.storage.record_store import new_id

RUN_ID_ENV = "NBVC_RUN_ID"
ROOT_ENV = "NBVC_ROOT"
STAGE_ENV = "NBVC_STAGE"


class Run:
    """An open run. ``with nbvc.start_run():`` ends it on exit (as failed on an exception)."""

    def __init__(self, repo_root: str, run_id: str, journal: Journal, owned: bool) -> None:
        self.root = repo_root
        self.id = run_id
        self.journal = journal
        self.owned = owned  # False when attached to a repro's run: the repro ends it
        self.started = time.time()
        self._steps: dict[str, int] = {}
        self._stage = os.environ.get(STAGE_ENV) if not owned else None

    def log_param(self, name: str, value: Any) -> None:
        self.journal.append(
            {"type": "param", "name": _name(name), "value": _jsonable(name, value), **self._who()}
        )

    def log_params(self, params: Mapping[str, Any]) -> None:
        for name, value in params.items():
            self.log_param(name, value)

    def log_metric(self, name: str, value: Any, step: int | None = None) -> None:
        name = _name(name)
        number = _number(name, value)
        if step is None:
            step = self._steps.get(name, 0)
        elif not isinstance(step, int) or isinstance(step, bool) or step < 0:
            raise LoggingError(f"step of metric {name!r} must be a whole number >= 0")
        self._steps[name] = step + 1
        self.journal.append(
            {
                "type": "metric",
                "name": name,
                "value": number,
                "step": step,
                "time": time.time(),
                **self._who(),
            }
        )

    def end(self, status: RunStatus = RunStatus.COMPLETED) -> RunRecord | None:
        """Write the run's record (owned runs only); returns it."""
        global _active  # noqa: PLW0603 - the process's one open run
        if _active is self:
            _active = None
        if not self.owned:
            return None
        logged = fold(self.journal.events())
        params, metrics = with_logged({}, {}, logged)
        ended = time.time()
        with Repo.open(self.root) as repo:
            record = write_run(
                repo,
                RunRecord(
                    id=self.id,
                    source=_context.get("source", "python"),
                    status=RunStatus(status),
                    started=self.started,
                    ended=ended,
                    duration=ended - self.started,
                    env=environment(self.root),
                    params=params,
                    metrics=metrics,
                    series=logged.series,
                    extra=_context_fields(self.root),
                ),
            )
        self.journal.remove()
        return record

    def _who(self) -> dict[str, Any]:
        return {"stage": self._stage} if self._stage else {}

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.end(RunStatus.FAILED if exc_type is not None else RunStatus.COMPLETED)


_active: Run | None = None
_exit_hook_installed = False
_context: dict[str, Any] = {}  # extra fields of runs this process starts


def _context_fields(root: str) -> dict[str, Any]:
    """What a run records about the process that logged it: the context the kernel set, or
    the script that Python runs (relative to the repo when inside it)."""
    if _context:
        return {k: v for k, v in _context.items() if k != "source"}
    script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if not os.path.isfile(script):
        return {}
    inside = script.startswith(os.path.join(root, ""))
    return {"script": os.path.relpath(script, root) if inside else os.path.basename(script)}


def set_run_context(source: str, **fields: Any) -> None:
    """Describe the runs this process starts from now on: the kernel extension sets
    ``source="notebook"`` with the notebook's path and its lineage session."""
    _context.clear()
    _context.update({"source": source, **fields})


def start_run(path: str | None = None) -> Run:
    """Open a new run of this process in the repo at (or above) ``path``; ends any open one.

    Inside a stage that ``nbvc repro`` runs, this is the repro's run (as MLflow resumes the run
    its environment names), so a script behaves the same in and outside a pipeline.
    """
    global _active, _exit_hook_installed  # noqa: PLW0603 - the process's one open run
    if _active is not None and not _active.owned:
        return _active
    if _active is not None:
        _active.end()
    attached = active_run()
    if attached is not None:
        return attached
    with Repo.find(path) as repo:
        run_id = new_id()
        journal = Journal.create(repo, run_id, _context.get("source", "python"))
        _active = Run(repo.root, run_id, journal, owned=True)
    if not _exit_hook_installed:
        atexit.register(_end_at_exit)
        _exit_hook_installed = True
    return _active


def active_run() -> Run | None:
    """The run that logging calls go to now, without creating one."""
    global _active  # noqa: PLW0603 - the process's one open run
    if _active is None and os.environ.get(RUN_ID_ENV) and os.environ.get(ROOT_ENV):
        run_id = os.environ[RUN_ID_ENV]
        root = os.environ[ROOT_ENV]
        with Repo.open(root) as repo:
            _active = Run(repo.root, run_id, Journal.of(repo, run_id), owned=False)
    return _active


def end_run(status: RunStatus = RunStatus.COMPLETED) -> RunRecord | None:
    """End this process's open run (if any) and return its record."""
    run = _active
    return run.end(status) if run is not None else None


def log_param(name: str, value: Any) -> None:
    _current().log_param(name, value)


def log_params(params: Mapping[str, Any]) -> None:
    _current().log_params(params)


def log_metric(name: str, value: Any, step: int | None = None) -> None:
    _current().log_metric(name, value, step)


def _current() -> Run:
    return active_run() or start_run()


def _end_at_exit() -> None:
    if _active is not None and _active.owned:
        _active.end()


def _name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise LoggingError(f"a param or metric name must be a non-empty string, not {name!r}")
    return name.strip()


def _jsonable(name: str, value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        value = value.item()
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise LoggingError(
            f"param {name!r}: {value!r} cannot be stored; use strings, numbers, booleans, "
            "lists or mappings of them"
        ) from None
    return value


def _number(name: str, value: Any) -> float | int | None:
    """A metric value as a number; NaN and infinities are kept as None (no value)."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LoggingError(f"metric {name!r} must be a number, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
