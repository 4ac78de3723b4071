"""Run records (kind ``runs``) and the journals that collect logged values while a run is open.

:class:`RunRecord` is the one shape of a run: it is written to and read from
``.nbvc/records/runs/<id>.json`` (:meth:`RunRecord.to_record` / :meth:`RunRecord.from_record`),
fed to the index, and answered by the REST API (:meth:`RunRecord.to_json`). A run's params and
metrics logged from code (``nbvc.log_metric``), possibly by several processes
(a repro and the stage commands it starts), are appended as JSON lines to a journal in
``.nbvc/tmp/runs/<run id>.jsonl`` (appends of one short line are atomic). When the run ends, the
journal is folded into the immutable record and removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from nbvc.core.repo import Repo

RUNS = "runs"
LOGGED = "logged"  # the source name of params and metrics logged from code

Values = dict[str, dict[str, Any]]  # source (a params/metrics file, or "logged") -> name -> value


class RunStatus(StrEnum):
    """How a run ended (``running``: its process is still logging to it)."""

    COMPLETED = "completed"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    RUNNING = "running"


@dataclass(frozen=True)
class PlotFile:
    """A plot file a repro's pipeline declares, stored as an object when the run ended."""

    path: str
    oid: str
    props: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "oid": self.oid, "props": self.props}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> PlotFile:
        return cls(doc["path"], doc["oid"], dict(doc.get("props") or {}))


@dataclass(frozen=True)
class RunArtifact:
    """A file, folder, figure, table, text or model logged to a run, stored as an object.

    ``kind`` says how it was logged (file, folder, figure, image, dict, table, text, model, diff)
    and ``media_type`` how to show it; ``step`` is set for images logged along a series.
    """

    name: str
    kind: str
    oid: str
    size: int
    media_type: str = "application/octet-stream"
    step: int | None = None
    path: str | None = None  # where a logged file or folder was

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "oid": self.oid,
            "size": self.size,
            "media_type": self.media_type,
        }
        if self.step is not None:
            doc["step"] = self.step
        if self.path is not None:
            doc["path"] = self.path
        return doc

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> RunArtifact:
        return cls(
            doc["name"],
            doc["kind"],
            doc["oid"],
            int(doc.get("size") or 0),
            doc.get("media_type") or "application/octet-stream",
            doc.get("step"),
            doc.get("path"),
        )


@dataclass(frozen=True)
class RunRecord:
    """One run: a repro, or a process (script, notebook kernel) that logged params or metrics.

    ``pipeline``, ``targets`` and ``plots`` belong to repro runs (and are written only for them);
    ``extra`` keeps what else the process that ran it recorded (a notebook run's ``notebook`` and
    lineage ``session``), so a record read and written again loses nothing.
    """

    id: str
    source: str = "repro"
    status: RunStatus = RunStatus.COMPLETED
    started: float | None = None
    ended: float | None = None
    duration: float | None = None
    env: dict[str, Any] = field(default_factory=dict)
    params: Values = field(default_factory=dict)
    metrics: Values = field(default_factory=dict)
    series: dict[str, list[list[Any]]] = field(
        default_factory=dict
    )  # name -> [[step, value, time]]
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)  # stage -> status, deps, outs
    pipeline: str | None = None
    targets: tuple[str, ...] = ()
    plots: tuple[PlotFile, ...] = ()
    name: str | None = None  # readable, changeable (`nbvc runs rename`)
    tags: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    parent: str | None = None  # the run this one is nested in (a fold of a sweep)
    artifacts: tuple[RunArtifact, ...] = ()
    deleted: bool = False  # soft-deleted (`nbvc runs delete`); purged by `nbvc gc`
    plot_defs: tuple[dict[str, Any], ...] = ()  # the pipeline's plot definitions: id, props
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def short_id(self) -> str:
        return short_id(self.id)

    @property
    def git(self) -> str | None:
        """The git commit checked out when it ran."""
        commit = self.env.get("git")
        return commit if isinstance(commit, str) else None

    # -- one serialisation: the record on disk ---------------------------------------------
    def to_record(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            **self.extra,
            "id": self.id,
            "source": self.source,
            "status": self.status.value,
            "started": self.started,
            "ended": self.ended,
            "duration": self.duration,
            "env": self.env,
            "params": self.params,
            "metrics": self.metrics,
            "series": self.series,
            "stages": self.stages,
        }
        if self.pipeline is not None:
            doc["pipeline"] = self.pipeline
            doc["targets"] = list(self.targets)
            doc["plots"] = [plot.to_json() for plot in self.plots]
            if self.plot_defs:
                doc["plot_defs"] = list(self.plot_defs)
        # written only when set, so records of earlier versions read and write back unchanged
        optional = {"name": self.name, "note": self.note, "parent": self.parent}
        doc.update({key: value for key, value in optional.items() if value is not None})
        if self.tags:
            doc["tags"] = self.tags
        if self.artifacts:
            doc["artifacts"] = [artifact.to_json() for artifact in self.artifacts]
        if self.deleted:
            doc["deleted"] = True
        return doc

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> RunRecord:
        """A run from its record as written by any nbvc version (absent fields get defaults)."""
        known = {f.name for f in fields(cls)} | {"kind"}
        return cls(
            id=doc["id"],
            source=doc.get("source") or "repro",
            status=RunStatus(doc.get("status") or RunStatus.COMPLETED),
            started=doc.get("started"),
            ended=doc.get("ended"),
            duration=doc.get("duration"),
            env=dict(doc.get("env") or {}),
            params=dict(doc.get("params") or {}),
            metrics=dict(doc.get("metrics") or {}),
            series=dict(doc.get("series") or {}),
            stages=dict(doc.get("stages") or {}),
            pipeline=doc.get("pipeline"),
            targets=tuple(doc.get("targets") or ()),
            plots=tuple(PlotFile.from_json(p) for p in doc.get("plots") or ()),
            name=doc.get("name"),
            tags={str(k): str(v) for k, v in (doc.get("tags") or {}).items()},
            note=doc.get("note"),
            parent=doc.get("parent"),
            artifacts=tuple(RunArtifact.from_json(a) for a in doc.get("artifacts") or ()),
            deleted=bool(doc.get("deleted")),
            plot_defs=tuple(doc.get("plot_defs") or ()),
            extra={k: v for k, v in doc.items() if k not in known},
        )

    # -- ... and as the REST API answers it (openapi.yaml: RunSummary, Run) ------------------
    def summary_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "short_id": self.short_id,
            "source": self.source,
            "status": self.status.value,
            "started": self.started,
            "ended": self.ended,
            "duration": self.duration,
            "git": self.git,
            "name": self.name,
            "tags": self.tags,
            "parent": self.parent,
            "deleted": self.deleted,
            "params": self.params,
            "metrics": self.metrics,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            **self.summary_json(),
            "env": self.env,
            "pipeline": self.pipeline,
            "targets": list(self.targets),
            "series": self.series,
            "stages": self.stages,
            "plots": [plot.to_json() for plot in self.plots],
            "note": self.note,
            "artifacts": [artifact.to_json() for artifact in self.artifacts],
        }

    def stage_statuses(self) -> dict[str, list[str]]:
        """Which stages of a repro ran, were skipped, restored, failed or not run."""
        found: dict[str, list[str]] = {}
        for stage, entry in self.stages.items():
            found.setdefault(str(entry.get("status")), []).append(stage)
        return found


def short_id(run_id: str) -> str:
    """The random tail of a run id: what tables show and what users type."""
    return run_id.rsplit("-", 1)[-1]


def journal_dir(repo: Repo) -> str:
    return os.path.join(repo.dot, "tmp", "runs")


@dataclass(frozen=True)
class Journal:
    path: str

    @classmethod
    def create(
        cls, repo: Repo, run_id: str, source: str, **start: str | dict[str, Any] | None
    ) -> Journal:
        """A new run's journal; ``start`` adds fields to its first line (``name``, ``parent``,
        ``context``: what the record gets in ``extra``)."""
        os.makedirs(journal_dir(repo), exist_ok=True)
        journal = cls(os.path.join(journal_dir(repo), run_id + ".jsonl"))
        journal.append(
            {
                "type": "start",
                "id": run_id,
                "source": source,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": time.time(),
                **{key: value for key, value in start.items() if value is not None},
            }
        )
        return journal

    @classmethod
    def of(cls, repo: Repo, run_id: str) -> Journal:
        return cls(os.path.join(journal_dir(repo), run_id + ".jsonl"))

    def append(self, event: Mapping[str, Any]) -> None:
        line = json.dumps(event, ensure_ascii=False, allow_nan=False) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)

    def events(self) -> list[dict[str, Any]]:
        try:
            with open(self.path, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except FileNotFoundError:
            return []
        events = []
        for line in lines:
            with contextlib.suppress(ValueError, RecursionError):  # a killed writer's torn line
                event = json.loads(line)
                if isinstance(event, dict):
                    events.append(event)
        return events

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


@dataclass(frozen=True)
class Logged:
    """What a journal holds, folded: last value of each param and metric, metric series, and
    the name, tags, note and artifacts logged."""

    params: dict[str, Any]
    metrics: dict[str, Any]
    series: dict[str, list[list[Any]]]  # name -> [[step, value, time], ...]
    name: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    parent: str | None = None
    artifacts: tuple[RunArtifact, ...] = ()
    cells: tuple[str, ...] = ()  # notebook cell ids that ran while the run was open, in order


def fold(events: list[dict[str, Any]]) -> Logged:
    params: dict[str, Any] = {}
    series: dict[str, list[list[Any]]] = {}
    tags: dict[str, str] = {}
    artifacts: dict[str, RunArtifact] = {}  # a name logged again replaces the earlier one
    text: dict[str, str | None] = {"name": None, "note": None, "parent": None}
    cells: list[str] = []
    for event in events:
        kind = event.get("type")
        if kind == "metric":
            series.setdefault(event["name"], []).append(
                [event["step"], event["value"], event["time"]]
            )
        elif kind == "param":
            params[event["name"]] = event["value"]
        elif kind == "tag":
            tags[event["key"]] = event["value"]
        elif kind == "cell":
            cells.append(str(event["cell"]))
        elif kind == "artifact":
            artifact = RunArtifact.from_json(event)
            artifacts[f"{artifact.name}@{artifact.step}"] = artifact
        elif kind in ("start", "name", "note"):
            for key in ("name", "note", "parent"):
                if event.get(key) is not None:
                    text[key] = event[key]
    for points in series.values():
        points.sort(key=lambda p: (p[0], p[2]))
    metrics = {name: points[-1][1] for name, points in series.items()}
    return Logged(
        params,
        metrics,
        series,
        text["name"],
        tags,
        text["note"],
        text["parent"],
        tuple(artifacts.values()),
        tuple(cells),
    )


def write_run(repo: Repo, run: RunRecord) -> RunRecord:
    """Write a finished run's record and index it."""
    from nbvc.core.runs.run_index import RunIndex

    repo.records.write(RUNS, run.to_record())
    RunIndex(repo).add(run)
    return run


def read_run(repo: Repo, run_id: str) -> RunRecord:
    """A finished run as its record and the edits made since (name, tags, note, deleted)."""
    from nbvc.core.runs.run_index import RunIndex, apply_edits

    record = RunRecord.from_record(repo.records.read(RUNS, run_id))
    return apply_edits(record, RunIndex(repo).edits(run_id))


def with_logged(params: Values, metrics: Values, logged: Logged) -> tuple[Values, Values]:
    if logged.params:
        params = {**params, LOGGED: logged.params}
    if logged.metrics:
        metrics = {**metrics, LOGGED: logged.metrics}
    return params, metrics


def open_runs(repo: Repo) -> Iterator[RunRecord]:
    """Runs whose journal is still there: running, or failed if their process is gone (a
    kernel that died: :func:`finish_crashed` writes their records)."""
    try:
        names = sorted(os.listdir(journal_dir(repo)))
    except FileNotFoundError:
        return
    for name in names:
        if name.endswith(".jsonl"):
            run = _journal_run(Journal(os.path.join(journal_dir(repo), name)))
            if run is not None:
                yield run


def _journal_run(journal: Journal) -> RunRecord | None:
    events = journal.events()
    if not events or events[0].get("type") != "start":
        return None
    start = events[0]
    logged = fold(events)
    alive = start.get("host") != socket.gethostname() or _pid_alive(start.get("pid", -1))
    context = start.get("context")
    return RunRecord(
        id=start["id"],
        source=start.get("source", "python"),
        status=RunStatus.RUNNING if alive else RunStatus.FAILED,
        started=start.get("started"),
        env={"host": start.get("host")},
        params={LOGGED: logged.params} if logged.params else {},
        metrics={LOGGED: logged.metrics} if logged.metrics else {},
        series=logged.series,
        name=logged.name,
        tags=logged.tags,
        note=logged.note,
        parent=logged.parent,
        artifacts=logged.artifacts,
        extra=dict(context) if isinstance(context, dict) else {},
    )


def finish_crashed(repo: Repo) -> list[RunRecord]:
    """Write the records of open runs whose process died on this host (a killed kernel or
    script), as failed with ``crashed: true``, so they do not show as running forever."""
    finished = []
    for run in list(open_runs(repo)):
        if run.status is not RunStatus.FAILED:
            continue
        journal = Journal.of(repo, run.id)
        events = journal.events()
        ended = max((e.get("time") or 0.0 for e in events), default=0.0) or run.started
        record = RunRecord(
            **{
                **{f.name: getattr(run, f.name) for f in fields(RunRecord)},
                "ended": ended,
                "duration": (ended - run.started) if ended and run.started else None,
                "extra": {**run.extra, "crashed": True},
            }
        )
        if not repo.records.exists(RUNS, run.id):
            write_run(repo, record)
        journal.remove()
        finished.append(record)
    return finished


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
