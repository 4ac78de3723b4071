"""A sweep as other processes see it (``nbvc exp show``, the panel, ``exp cancel``).

While a sweep runs, its plan (every point with the id its run will have) is in
``.nbvc/tmp/exps/<sweep id>/plan.json`` and what happened since in ``events.jsonl`` next to it
(one appended line per start or finish). When it ends, the sweep becomes a run record of its own
(``source: sweep``) listing the same points, and the folder goes. Either way the experiments'
values come from the run index, so a 1,000-point sweep is shown with two queries.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from nbvc.core.errors import RunNotFoundError
from nbvc.core.formats import limits
from nbvc.core.repo import Repo
from nbvc.core.runs.journal import pid_alive
from nbvc.core.runs.run_record import RunStatus, short_id
from nbvc.core.runs.run_tables import RUNS
from nbvc.core.storage.fsutil import atomic_write_text

SWEEP = "sweep"  # the sweep run's source, and its key for the plan
QUEUED = "queued"
RUNNING = "running"
CANCEL = "cancel"


def sweeps_dir(repo: Repo) -> str:
    return os.path.join(repo.dot, "tmp", "exps")


def sweep_dir(repo: Repo, sweep_id: str) -> str:
    return os.path.join(sweeps_dir(repo), sweep_id)


def cancel_file(repo: Repo, sweep_id: str) -> str:
    return os.path.join(sweep_dir(repo, sweep_id), CANCEL)


@dataclass
class SweepView:
    """A sweep's plan and the state of each point (``queued``, ``running`` or a run status)."""

    id: str
    plan: dict[str, Any]
    status: str  # running, or how the sweep ended
    states: dict[str, str] = field(default_factory=dict)  # experiment id -> state
    hosts: dict[str, str] = field(default_factory=dict)

    @property
    def points(self) -> list[dict[str, Any]]:
        points: list[dict[str, Any]] = self.plan["points"]
        return points

    @property
    def name(self) -> str:
        return str(self.plan.get("name") or short_id(self.id))

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for point in self.points:
            state = self.states.get(point["id"], QUEUED)
            counts[state] = counts.get(state, 0) + 1
        return counts


def write_plan(repo: Repo, sweep_id: str, plan: dict[str, Any]) -> None:
    folder = sweep_dir(repo, sweep_id)
    os.makedirs(folder, exist_ok=True)
    doc = {**plan, "pid": os.getpid(), "host": socket.gethostname()}
    atomic_write_text(os.path.join(folder, "plan.json"), json.dumps(doc))


def append_event(repo: Repo, sweep_id: str, event: dict[str, Any]) -> None:
    line = json.dumps(event) + "\n"
    fd = os.open(
        os.path.join(sweep_dir(repo, sweep_id), "events.jsonl"),
        os.O_WRONLY | os.O_APPEND | os.O_CREAT,
        0o644,
    )
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def running_ids(repo: Repo) -> list[str]:
    """Sweeps with a plan on disk, oldest first."""
    try:
        names = sorted(os.listdir(sweeps_dir(repo)))
    except FileNotFoundError:
        return []
    return [n for n in names if os.path.exists(os.path.join(sweeps_dir(repo), n, "plan.json"))]


def finished_ids(repo: Repo, limit: int | None = None) -> list[str]:
    """Finished sweeps that are not deleted (`exp remove`), newest first."""
    from nbvc.core.runs.run_index import LIVE, RunIndex

    sql = f"SELECT id FROM runs r WHERE source = ? AND {LIVE} ORDER BY started DESC, id DESC"
    params: list[Any] = [SWEEP]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)

    return [row[0] for row in RunIndex(repo).index.execute(sql, params)]


def load(repo: Repo, sweep_id: str) -> SweepView:
    """The sweep ``sweep_id`` (running or finished)."""
    plan_path = os.path.join(sweep_dir(repo, sweep_id), "plan.json")
    with contextlib.suppress(FileNotFoundError):
        plan = limits.load_json(limits.read_text(plan_path), plan_path)
        return _live(repo, sweep_id, plan)
    if not os.path.exists(repo.records.path(RUNS, sweep_id)):
        raise RunNotFoundError(f"there is no sweep {sweep_id}; `nbvc exp show --all` lists them")
    record = repo.records.read(RUNS, sweep_id)
    plan = record.get(SWEEP)
    if record.get("source") != SWEEP or not isinstance(plan, dict):
        raise RunNotFoundError(f"run {short_id(sweep_id)} is not a sweep")
    view = SweepView(sweep_id, plan, str(record.get("status")))
    view.states = _finished_states(repo, [p["id"] for p in plan["points"]])
    return view


def _live(repo: Repo, sweep_id: str, plan: dict[str, Any]) -> SweepView:
    alive = plan.get("host") == socket.gethostname() and pid_alive(int(plan.get("pid", -1)))
    view = SweepView(sweep_id, plan, RUNNING if alive else RunStatus.INTERRUPTED.value)
    for event in _events(repo, sweep_id):
        exp_id = event.get("id")
        if isinstance(exp_id, str):
            view.states[exp_id] = str(event.get("state"))
            if event.get("host"):
                view.hosts[exp_id] = str(event["host"])
    return view


def _events(repo: Repo, sweep_id: str) -> Iterator[dict[str, Any]]:
    try:
        with open(os.path.join(sweep_dir(repo, sweep_id), "events.jsonl"), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return
    for line in lines:
        with contextlib.suppress(ValueError):  # a torn last line
            event = json.loads(line)
            if isinstance(event, dict):
                yield event


def _finished_states(repo: Repo, ids: list[str]) -> dict[str, str]:
    from nbvc.core.runs.run_index import RunIndex

    index = RunIndex(repo).index
    states: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for run_id, status in index.execute(
            f"SELECT id, status FROM runs WHERE id IN ({marks})", chunk
        ):
            states[run_id] = status
    return states
