"""Run records (kind ``runs``) and the journals that collect logged values while a run is open.

A run's params and metrics logged from code (``nbvc.log_metric``), possibly by several processes
(a repro and the stage commands it starts), are appended as JSON lines to a journal in
``.nbvc/tmp/runs/<run id>.jsonl`` (appends of one short line are atomic). When the run ends, the
journal is folded into the immutable record and removed.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import platform
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nbvc.core.repo import Repo
from nbvc.core.storage import gitio
from nbvc.core.storage.record_store import Record

RUNS = "runs"
LOGGED = "logged"  # the source name of params and metrics logged from code
COMPLETED, FAILED, INTERRUPTED, RUNNING = "completed", "failed", "interrupted", "running"


def journal_dir(repo: Repo) -> str:
    return os.path.join(repo.dot, "tmp", "runs")


@dataclass(frozen=True)
class Journal:
    path: str

    @classmethod
    def create(cls, repo: Repo, run_id: str, source: str) -> Journal:
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
    """What a journal holds, folded: last value of each param and metric, and metric series."""

    params: dict[str, Any]
    metrics: dict[str, Any]
    series: dict[str, list[list[Any]]]  # name -> [[step, value, time], ...]


def fold(events: list[dict[str, Any]]) -> Logged:
    params: dict[str, Any] = {}
    series: dict[str, list[list[Any]]] = {}
    for event in events:
        if event.get("type") == "param":
            params[event["name"]] = event["value"]
        elif event.get("type") == "metric":
            series.setdefault(event["name"], []).append(
                [event["step"], event["value"], event["time"]]
            )
    for points in series.values():
        points.sort(key=lambda p: (p[0], p[2]))
    metrics = {name: points[-1][1] for name, points in series.items()}
    return Logged(params, metrics, series)


def environment(root: str) -> dict[str, Any]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return {
        "host": socket.gethostname(),
        "user": user,
        "python": platform.python_version(),
        "git": gitio.head(root),
    }


def write_run(repo: Repo, record: Record) -> Record:
    """Write a finished run's record (it has its ``id`` already) and index it."""
    from nbvc.core.runs.run_index import RunIndex

    written = repo.records.write(RUNS, record)
    RunIndex(repo).add(written)
    return written


def with_logged(
    params: dict[str, dict[str, Any]], metrics: dict[str, dict[str, Any]], logged: Logged
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    if logged.params:
        params = {**params, LOGGED: logged.params}
    if logged.metrics:
        metrics = {**metrics, LOGGED: logged.metrics}
    return params, metrics


def open_runs(repo: Repo) -> Iterator[dict[str, Any]]:
    """Runs whose journal is still there: running, or interrupted if their process is gone."""
    try:
        names = sorted(os.listdir(journal_dir(repo)))
    except FileNotFoundError:
        return
    for name in names:
        if not name.endswith(".jsonl"):
            continue
        events = Journal(os.path.join(journal_dir(repo), name)).events()
        if not events or events[0].get("type") != "start":
            continue
        start = events[0]
        logged = fold(events)
        alive = start.get("host") == socket.gethostname() and _pid_alive(start.get("pid", -1))
        yield {
            "id": start["id"],
            "kind": RUNS,
            "source": start.get("source", "python"),
            "status": RUNNING if alive else INTERRUPTED,
            "started": start.get("started"),
            "ended": None,
            "duration": None,
            "params": {LOGGED: logged.params} if logged.params else {},
            "metrics": {LOGGED: logged.metrics} if logged.metrics else {},
            "series": logged.series,
        }


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
