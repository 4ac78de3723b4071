"""``nbvc exp show``: a sweep as a table of its points (params, metrics, status, duration).

Rows come from the sweep's plan and the run index (two queries, whatever the sweep's size); the
best value of each metric among completed runs is marked, by the metric's direction
(:mod:`nbvc.core.runs.direction`). Sorting by a metric puts the best first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from nbvc.core.errors import ExperimentError
from nbvc.core.experiments.sweep_spec import point_label
from nbvc.core.experiments.sweep_state import QUEUED, SweepView
from nbvc.core.repo import Repo
from nbvc.core.runs.direction import lower_is_better
from nbvc.core.runs.run_index import RunIndex
from nbvc.core.runs.run_record import short_id

CHUNK = 500


@dataclass
class ExpRow:
    id: str
    name: str
    status: str
    params: dict[str, Any]  # label (key, or FILE:key) -> value
    metrics: dict[str, Any] = field(default_factory=dict)  # name -> value
    duration: float | None = None
    host: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "short_id": short_id(self.id),
            "name": self.name,
            "status": self.status,
            "params": self.params,
            "metrics": self.metrics,
            "duration": self.duration,
            "host": self.host,
        }


@dataclass
class SweepTable:
    sweep: SweepView
    rows: list[ExpRow]
    params: list[str]
    metrics: list[str]
    best: dict[str, str]  # metric -> id of the run with its best value

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.sweep.id,
            "short_id": short_id(self.sweep.id),
            "name": self.sweep.name,
            "status": self.sweep.status,
            "executor": self.sweep.plan.get("executor"),
            "counts": self.sweep.counts(),
            "params": self.params,
            "metrics": self.metrics,
            "best": self.best,
            "rows": [row.to_json() for row in self.rows],
        }


def build(repo: Repo, sweep: SweepView, sort: str | None = None) -> SweepTable:
    ids = [point["id"] for point in sweep.points]
    durations, values = _from_index(repo, ids)
    rows = []
    for point in sweep.points:
        labels = dict(_labels(point["params"]))
        rows.append(
            ExpRow(
                point["id"],
                str(point.get("name", "")),
                sweep.states.get(point["id"], QUEUED),
                labels,
                values.get(point["id"], {}),
                durations.get(point["id"]),
                sweep.hosts.get(point["id"]),
            )
        )
    params = list(dict.fromkeys(k for row in rows for k in row.params))
    metrics = list(dict.fromkeys(k for row in rows for k in row.metrics))
    config = repo.config.raw
    best = _best(rows, metrics, config)
    if sort is not None:
        if sort not in metrics:
            shown = ", ".join(metrics) or "none yet"
            raise ExperimentError(f"no metric {sort!r} in this sweep (metrics: {shown})")
        rows = _sorted(rows, sort, lower_is_better(sort, config))
    return SweepTable(sweep, rows, params, metrics, best)


def _labels(point: dict[str, dict[str, Any]]) -> list[tuple[str, Any]]:
    found = []
    for file, values in point.items():
        for key, value in values.items():
            label = point_label({file: {key: value}}).rsplit("=", 1)[0]
            found.append((label, value))
    return found


def _from_index(
    repo: Repo, ids: list[str]
) -> tuple[dict[str, float | None], dict[str, dict[str, Any]]]:
    index = RunIndex(repo).index
    durations: dict[str, float | None] = {}
    metrics: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ",".join("?" * len(chunk))
        for run_id, duration in index.execute(
            f"SELECT id, duration FROM runs WHERE id IN ({marks})", chunk
        ):
            durations[run_id] = duration
        for run_id, name, value in index.execute(
            "SELECT run_id, name, value FROM run_values "
            f"WHERE kind = 'metric' AND run_id IN ({marks}) ORDER BY source, name",
            chunk,
        ):
            metrics.setdefault(run_id, {})[name] = json.loads(value)
    return durations, metrics


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _best(rows: list[ExpRow], metrics: list[str], config: dict[str, Any]) -> dict[str, str]:
    best = {}
    for metric in metrics:
        scored = [
            (number, row.id)
            for row in rows
            if row.status == "completed"
            and (number := _number(row.metrics.get(metric))) is not None
        ]
        if scored:
            pick = min if lower_is_better(metric, config) else max
            best[metric] = pick(scored)[1]
    return best


def _sorted(rows: list[ExpRow], metric: str, ascending: bool) -> list[ExpRow]:
    def key(row: ExpRow) -> tuple[bool, float]:
        number = _number(row.metrics.get(metric))
        if number is None:
            return (True, 0.0)
        return (False, number if ascending else -number)

    return sorted(rows, key=key)
