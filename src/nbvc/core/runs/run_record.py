"""Run records (kind ``runs``).

:class:`RunRecord` is the one shape of a run: it is written to and read from
``.nbvc/records/runs/<id>.json`` (:meth:`RunRecord.to_record` / :meth:`RunRecord.from_record`),
fed to the index, and answered by the REST API (:meth:`RunRecord.to_json`). A run's params and
metrics logged from code while a run is open go to its journal (:mod:`nbvc.core.runs.journal`),
folded into the immutable record when the run ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from nbvc.core.repo import Repo
from nbvc.core.runs.run_tables import RUNS

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


def write_run(repo: Repo, run: RunRecord) -> RunRecord:
    """Write a finished run's record and index it."""
    from nbvc.core.runs.run_index import RunIndex

    index = RunIndex(repo)  # opened (and caught up) first: else it reads this record back
    repo.records.write(RUNS, run.to_record())
    index.add(run)
    return run


def read_run(repo: Repo, run_id: str) -> RunRecord:
    """A finished run as its record and the edits made since (name, tags, note, deleted)."""
    from nbvc.core.runs.run_index import RunIndex, apply_edits

    record = RunRecord.from_record(repo.records.read(RUNS, run_id))
    return apply_edits(record, RunIndex(repo).edits(run_id))
