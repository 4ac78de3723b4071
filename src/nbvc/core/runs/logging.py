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
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nbvc.core.errors import LoggingError
from nbvc.core.repo import Repo
from nbvc.core.runs import run_files
from nbvc.core.runs.deferred import Deferred, Work
from nbvc.core.runs.environment import Capture, environment, git_diff
from nbvc.core.runs.journal import Journal, with_logged
from nbvc.core.runs.names import readable_name
from nbvc.core.runs.run_record import RunArtifact, RunRecord, RunStatus, write_run
from nbvc.core.storage.record_store import new_id

if TYPE_CHECKING:
    from nbvc.core.runs.system_metrics import SystemMetrics

RUN_ID_ENV = "NBVC_RUN_ID"
ROOT_ENV = "NBVC_ROOT"
STAGE_ENV = "NBVC_STAGE"
SYSTEM_METRICS_ENV = "NBVC_SYSTEM_METRICS"  # 1: sample system metrics in every run started
SYSTEM_METRICS_INTERVAL_ENV = "NBVC_SYSTEM_METRICS_INTERVAL"


class Run:
    """An open run. ``with nbvc.start_run():`` ends it on exit (as failed on an exception)."""

    def __init__(
        self,
        repo_root: str,
        run_id: str,
        journal: Journal,
        owned: bool,
        parent: Run | None = None,
    ) -> None:
        self.root = repo_root
        self.id = run_id
        self.journal = journal
        self.owned = owned  # False when attached to a repro's run: the repro ends it
        self.parent = parent  # the run this one is nested in (back to it when this one ends)
        self.started = time.time()
        self._steps: dict[str, int] = {}
        self._stage = os.environ.get(STAGE_ENV) if not owned else None
        self._sampler: SystemMetrics | None = None
        self._deferred: Deferred | None = None
        # the environment, taken on a thread now; a nested run shares its parent's
        self._capture: Capture | None = (parent._capture if parent is not None else None) or (
            Capture(repo_root) if owned else None
        )

    # -- values -----------------------------------------------------------------------------
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
        elif type(step) is not int:
            if not isinstance(step, int) or isinstance(step, bool):
                raise LoggingError(f"step of metric {name!r} must be a whole number >= 0")
            step = int(step)
        if step < 0:
            raise LoggingError(f"step of metric {name!r} must be a whole number >= 0")
        self._steps[name] = step + 1
        self.journal.append_metric(name, number, step, time.time(), self._stage)

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        for name, value in metrics.items():
            self.log_metric(name, value, step)

    # -- what the run is called and what is said about it ---------------------------------
    def set_tags(self, tags: Mapping[str, Any]) -> None:
        for key, value in tags.items():
            self.journal.append({"type": "tag", "key": _name(key), "value": str(value)})

    def set_tag(self, key: str, value: Any) -> None:
        self.set_tags({key: value})

    def set_note(self, text: str) -> None:
        self.journal.append({"type": "note", "note": str(text)})

    def set_name(self, name: str) -> None:
        self.journal.append({"type": "name", "name": _name(name)})

    def record_cell(self, cell_id: str) -> None:
        """A notebook cell ran while this run was open (the kernel's tracer says so)."""
        self.journal.append({"type": "cell", "cell": cell_id})

    # -- files, figures, images, dicts, tables, text ------------------------------------------
    def log_artifact(self, path: str, name: str | None = None) -> RunArtifact:
        """Store a file or a folder (anywhere on disk) with the run."""
        with Repo.open(self.root) as repo:
            return self.add_artifact(run_files.store_path(repo, path, name))

    def log_figure(self, figure: Any, name: str) -> RunArtifact:
        """A matplotlib figure (PNG, or the format ``name`` ends with) or a plotly figure."""
        data, full, media = run_files.figure_bytes(figure, _name(name))
        return self._store(data, full, "figure", media)

    def log_image(self, image: Any, name: str, step: int | None = None) -> RunArtifact:
        """A PIL image or an array, as PNG; ``step`` puts it on a series (one per epoch)."""
        data, full = run_files.image_bytes(image, _name(name))
        return self._store(data, full, "image", "image/png", step)

    def log_dict(self, data: Mapping[str, Any], name: str) -> RunArtifact:
        raw, full = run_files.dict_bytes(data, _name(name))
        return self._store(raw, full, "dict", run_files.media_type(full))

    def log_table(self, table: Any, name: str) -> RunArtifact:
        raw, full = run_files.table_bytes(table, _name(name))
        return self._store(raw, full, "table", run_files.media_type(full))

    def log_text(self, text: str, name: str) -> RunArtifact:
        full = _name(name)
        media = run_files.media_type(full)
        return self._store(str(text).encode("utf-8"), full, "text", media)

    def _store(
        self, data: bytes, name: str, kind: str, media: str, step: int | None = None
    ) -> RunArtifact:
        with Repo.open(self.root) as repo:
            return self.add_artifact(run_files.store_bytes(repo, data, name, kind, media, step))

    def add_artifact(self, artifact: RunArtifact) -> RunArtifact:
        self.journal.append({"type": "artifact", **artifact.to_json()})
        return artifact

    # -- system metrics -----------------------------------------------------------------------
    def log_system_metrics(self, interval: float | None = None) -> None:
        """Sample CPU, memory, disk and network IO (and GPUs) every ``interval`` seconds."""
        from nbvc.core.runs.system_metrics import SystemMetrics

        if self._sampler is None:
            with Repo.open(self.root) as repo:
                interval = interval or configured_interval(repo.config.raw)
            self._sampler = SystemMetrics(self, interval)
            self._sampler.start()

    # -- work after the call ------------------------------------------------------------------
    def defer(self, work: Work) -> None:
        """Do ``work`` (which logs to this run) on the run's thread; the run's end waits for it
        (see :mod:`nbvc.core.runs.deferred`)."""
        if self._deferred is None:
            self._deferred = Deferred()
            _install_exit_hook()  # a repro's run too: this process must wait before it exits
        self._deferred.submit(work)

    def wait(self) -> None:
        """Let deferred work finish; what failed is a warning (the run is still written)."""
        if self._deferred is not None:
            for error in self._deferred.wait():
                warnings.warn(f"nbvc: {error}", RuntimeWarning, stacklevel=2)

    # -- ending -------------------------------------------------------------------------------
    def end(self, status: RunStatus = RunStatus.COMPLETED) -> RunRecord | None:
        """Write the run's record (owned runs only); returns it."""
        global _active  # noqa: PLW0603 - the process's one open run
        self.wait()
        if self._sampler is not None:
            self._sampler.stop()
            self._sampler = None
        if _active is self:
            _active = self.parent if self.parent is not None and self.parent.is_open() else None
        if not self.owned:
            return None
        if not os.path.exists(self.journal.path):
            return None  # ended already (e.g. by its context manager, then at exit)
        with Repo.open(self.root) as repo:
            record = finish_logged_run(
                repo, self.journal, RunStatus(status), self.started, self._capture
            )
        self.journal.remove()
        return record

    def is_open(self) -> bool:
        return not self.owned or os.path.exists(self.journal.path)

    def _who(self) -> dict[str, Any]:
        return {"stage": self._stage} if self._stage else {}

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.end(RunStatus.FAILED if exc_type is not None else RunStatus.COMPLETED)


def finish_logged_run(
    repo: Repo,
    journal: Journal,
    status: RunStatus,
    started: float,
    capture: Capture | None = None,
) -> RunRecord:
    """Fold a run's journal into its record, with the environment it ran in (``capture``: as
    taken when the run started; else taken now)."""
    start, logged = journal.folded()
    env, diff = capture.taken() if capture is not None else (environment(repo.root), None)
    params, metrics = with_logged({}, {}, logged)
    ended = time.time()
    context = start.get("context") if isinstance(start.get("context"), dict) else _context
    context = dict(context or {})
    if not {k for k in context if k != "source"}:  # a script: which one
        context.update(_context_fields(repo.root))
    if logged.cells:
        context["cells"] = list(logged.cells)
    return write_run(
        repo,
        RunRecord(
            id=start.get("id") or os.path.basename(journal.path).removesuffix(".jsonl"),
            source=context.pop("source", start.get("source", "python")),
            status=status,
            started=start.get("started", started),
            ended=ended,
            duration=ended - start.get("started", started),
            env=env,
            params=params,
            metrics=metrics,
            series=logged.series,
            name=logged.name,
            tags=logged.tags,
            note=logged.note,
            parent=logged.parent,
            artifacts=(*logged.artifacts, *git_diff_artifact(repo, diff)),
            extra=context,
        ),
    )


def git_diff_artifact(repo: Repo, diff: bytes | None = None) -> tuple[RunArtifact, ...]:
    """The uncommitted diff of the git work tree (``diff``, else taken now), stored as the
    run's ``git.diff``."""
    if diff is None:
        diff = git_diff(repo.root)
    if not diff:
        return ()
    return (run_files.store_bytes(repo, diff, "git.diff", "diff", "text/x-diff"),)


def configured_interval(config: Mapping[str, Any]) -> float:
    """Seconds between system metric samples: ``NBVC_SYSTEM_METRICS_INTERVAL``, else
    ``[runs] system_metrics_interval`` in `.nbvc/config`, else 10."""
    text = os.environ.get(SYSTEM_METRICS_INTERVAL_ENV)
    value: Any = text if text else (config.get("runs") or {}).get("system_metrics_interval", 10)
    try:
        interval = float(value)
    except (TypeError, ValueError):
        raise LoggingError(
            f"system metrics interval must be a number of seconds, not {value!r}"
        ) from None
    if interval <= 0:
        raise LoggingError("system metrics interval must be more than 0 seconds")
    return interval


def _system_metrics_wanted(config: Mapping[str, Any]) -> bool:
    text = os.environ.get(SYSTEM_METRICS_ENV, "").strip().lower()
    if text:
        return text in ("1", "true", "yes", "on")
    return bool((config.get("runs") or {}).get("system_metrics", False))


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


def start_run(
    path: str | None = None,
    *,
    name: str | None = None,
    tags: Mapping[str, Any] | None = None,
    note: str | None = None,
    nested: bool = False,
    log_system_metrics: bool | None = None,
) -> Run:
    """Open a new run of this process in the repo at (or above) ``path``.

    An open run is ended first, unless ``nested``: then the new run is a child of it (a fold
    of a cross-validation, a trial of a sweep) and ending the child makes the parent current
    again. Inside a stage that ``nbvc repro`` runs, a run that is not nested is the repro's run
    (as MLflow resumes the run its environment names), so a script behaves the same in and
    outside a pipeline. The run gets a readable ``name`` unless one is given.
    """
    global _active  # noqa: PLW0603 - the process's one open run
    parent = active_run() if nested else None
    if parent is None:
        if _active is not None and not _active.owned:
            return _active
        if _active is not None:
            _active.end()
        attached = active_run()
        if attached is not None:
            return attached
    with Repo.find(path if parent is None else parent.root) as repo:
        run_id = new_id()
        journal = Journal.create(
            repo,
            run_id,
            _context.get("source", "python"),
            name=name or readable_name(run_id),
            parent=parent.id if parent is not None else None,
            context=dict(_context) or None,
        )
        run = Run(repo.root, run_id, journal, owned=True, parent=parent)
        wanted = _system_metrics_wanted(repo.config.raw) if log_system_metrics is None else None
    _active = run
    if tags:
        run.set_tags(tags)
    if note:
        run.set_note(note)
    if log_system_metrics or wanted:
        run.log_system_metrics()
    _install_exit_hook()
    return run


def active_run() -> Run | None:
    """The run that logging calls go to now, without creating one."""
    global _active  # noqa: PLW0603 - the process's one open run
    if _active is None and os.environ.get(RUN_ID_ENV) and os.environ.get(ROOT_ENV):
        run_id = os.environ[RUN_ID_ENV]
        root = os.environ[ROOT_ENV]
        with Repo.open(root) as repo:
            _active = Run(repo.root, run_id, Journal.of(repo, run_id), owned=False)
    return _active


def settle() -> None:
    """Let the work this process's open runs deferred (autolog's metrics and models) finish,
    so that what a ``fit`` logged can be read back at once."""
    run = _active
    while run is not None:
        run.wait()
        run = run.parent


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


def log_metrics(metrics: Mapping[str, Any], step: int | None = None) -> None:
    _current().log_metrics(metrics, step)


def set_tags(tags: Mapping[str, Any]) -> None:
    _current().set_tags(tags)


def set_tag(key: str, value: Any) -> None:
    _current().set_tag(key, value)


def set_note(text: str) -> None:
    _current().set_note(text)


def log_artifact(path: str, name: str | None = None) -> RunArtifact:
    return _current().log_artifact(path, name)


def log_figure(figure: Any, name: str) -> RunArtifact:
    return _current().log_figure(figure, name)


def log_image(image: Any, name: str, step: int | None = None) -> RunArtifact:
    return _current().log_image(image, name, step)


def log_dict(data: Mapping[str, Any], name: str) -> RunArtifact:
    return _current().log_dict(data, name)


def log_table(table: Any, name: str) -> RunArtifact:
    return _current().log_table(table, name)


def log_text(text: str, name: str) -> RunArtifact:
    return _current().log_text(text, name)


def _current() -> Run:
    return active_run() or start_run()


def _install_exit_hook() -> None:
    global _exit_hook_installed  # noqa: PLW0603 - once per process
    if not _exit_hook_installed:
        atexit.register(_end_at_exit)
        _exit_hook_installed = True


def _end_at_exit() -> None:
    while _active is not None and _active.owned:
        _active.end()
    if _active is not None:  # a repro's run: the repro writes it, once this process is done
        _active.wait()


def _name(name: Any) -> str:
    if type(name) is str and name and not name[0].isspace() and not name[-1].isspace():
        return name  # the common case, without making a new string
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
    if type(value) is float:
        return value if math.isfinite(value) else None
    if type(value) is int:
        return value
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LoggingError(f"metric {name!r} must be a number, not {value!r}")
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    return int(value)
