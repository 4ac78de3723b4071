"""Journals: the JSON lines that collect what is logged to a run while it is open.

A run's params and metrics logged from code (``nbvc.log_metric``), possibly by several processes
(a repro and the stage commands it starts) and threads (the system metrics sampler), are appended
to ``.nbvc/tmp/runs/<run id>.jsonl``: one ``write`` of one line on a descriptor opened with
``O_APPEND``, atomic against other writers and kept by the kernel if the process is killed the
next moment. When the run ends, the journal is folded into the immutable record and removed.

The process that created a journal also folds what it appends as it goes, so ending a run with
10,000 metric points does not parse 10,000 lines back. That fold is used only while the file
holds exactly the bytes this process wrote (same inode, same size); a line from anyone else (a
stage command, ``nbvc runs tag`` on the open run, a forked child) and the file is read instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import (
    LOGGED,
    RunArtifact,
    RunRecord,
    RunStatus,
    Values,
    write_run,
)
from nbvc.core.runs.run_tables import RUNS

_APPEND = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)


def journal_dir(repo: Repo) -> str:
    return os.path.join(repo.dot, "tmp", "runs")


class Journal:
    """One run's journal file (see the module's docstring)."""

    def __init__(self, path: str, own: bool = False) -> None:
        self.path = path
        self._fd: int | None = None
        self._names: dict[str, str] = {}  # metric name -> its JSON text
        # what this object appended, folded; None when it did not create the file
        self._folder: Folder | None = Folder() if own else None
        self._written = 0  # bytes this object appended

    @classmethod
    def create(
        cls, repo: Repo, run_id: str, source: str, **start: str | dict[str, Any] | None
    ) -> Journal:
        """A new run's journal; ``start`` adds fields to its first line (``name``, ``parent``,
        ``context``: what the record gets in ``extra``)."""
        os.makedirs(journal_dir(repo), exist_ok=True)
        journal = cls(os.path.join(journal_dir(repo), run_id + ".jsonl"), own=True)
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
        if self._write(line.encode("utf-8")) and self._folder is not None:
            self._folder.add(json.loads(line))  # as a reader of the file would see it

    def append_metric(
        self, name: str, value: float | int | None, step: int, when: float, stage: str | None
    ) -> None:
        """One metric point: the line ``append`` writes for it, formatted without ``json``
        (a metric is logged thousands of times a run). ``value`` is finite or None."""
        quoted = self._names.get(name)
        if quoted is None:
            quoted = self._names[name] = json.dumps(name, ensure_ascii=False)
        number = "null" if value is None else _number_text(value)
        who = "" if stage is None else ', "stage": ' + json.dumps(stage, ensure_ascii=False)
        line = (
            f'{{"type": "metric", "name": {quoted}, "value": {number}, "step": {step}, '
            f'"time": {float.__repr__(when)}{who}}}\n'
        )
        if self._write(line.encode("utf-8")) and self._folder is not None:
            self._folder.add_metric(name, step, value, when)

    def _write(self, data: bytes) -> bool:
        """Append ``data`` in one write; False (and no more folding) if it went short."""
        if self._fd is None:
            self._fd = os.open(self.path, _APPEND, 0o644)
        written = os.write(self._fd, data)
        if written != len(data):  # a full disk: the file is the truth from now on
            self._folder = None
            return False
        # Not atomic across threads; a lost update only makes the size check below fail.
        self._written += written
        return True

    def folded(self) -> tuple[dict[str, Any], Logged]:
        """The journal's first line (``start``) and everything in it, folded."""
        if self._folder is not None and self._fd is not None and self._only_mine(self._fd):
            return self._folder.start, self._folder.result()
        events = self.events()
        start = events[0] if events and events[0].get("type") == "start" else {}
        return start, fold(events)

    def _only_mine(self, fd: int) -> bool:
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (on_disk.st_ino, on_disk.st_dev, on_disk.st_size) == (
            mine.st_ino,
            mine.st_dev,
            self._written,
        )

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

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        self.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def _number_text(value: float | int) -> str:
    """JSON text of a finite number, as ``json.dumps`` writes it."""
    return float.__repr__(value) if isinstance(value, float) else int.__repr__(value)


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


class Folder:
    """Journal events folded one at a time into what :class:`Logged` holds."""

    def __init__(self) -> None:
        self.start: dict[str, Any] = {}  # the first line, when it is a start line
        self.seen = False
        self.params: dict[str, Any] = {}
        self.series: dict[str, list[list[Any]]] = {}
        self.tags: dict[str, str] = {}
        self.artifacts: dict[str, RunArtifact] = {}  # a name logged again replaces the earlier
        self.text: dict[str, str | None] = {"name": None, "note": None, "parent": None}
        self.cells: list[str] = []

    def add(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if not self.seen and kind == "start":
            self.start = event
        self.seen = True
        if kind == "metric":
            self.add_metric(event["name"], event["step"], event["value"], event["time"])
        elif kind == "param":
            self.params[event["name"]] = event["value"]
        elif kind == "tag":
            self.tags[event["key"]] = event["value"]
        elif kind == "cell":
            self.cells.append(str(event["cell"]))
        elif kind == "artifact":
            artifact = RunArtifact.from_json(event)
            self.artifacts[f"{artifact.name}@{artifact.step}"] = artifact
        elif kind in ("start", "name", "note"):
            for key in ("name", "note", "parent"):
                if event.get(key) is not None:
                    self.text[key] = event[key]

    def add_metric(self, name: str, step: Any, value: Any, when: Any) -> None:
        self.seen = True
        points = self.series.get(name)
        if points is None:
            points = self.series[name] = []
        points.append([step, value, when])

    def result(self) -> Logged:
        series = {name: sorted(points, key=_step_time) for name, points in self.series.items()}
        return Logged(
            dict(self.params),
            {name: points[-1][1] for name, points in series.items()},
            series,
            self.text["name"],
            dict(self.tags),
            self.text["note"],
            self.text["parent"],
            tuple(self.artifacts.values()),
            tuple(self.cells),
        )


def _step_time(point: list[Any]) -> tuple[Any, Any]:
    return point[0], point[2]


def fold(events: list[dict[str, Any]]) -> Logged:
    folder = Folder()
    for event in events:
        folder.add(event)
    return folder.result()


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
    alive = start.get("host") != socket.gethostname() or pid_alive(start.get("pid", -1))
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


def pid_alive(pid: int) -> bool:
    """True if a process ``pid`` runs on this machine (one we may not signal counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
