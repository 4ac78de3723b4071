"""What the run magics show: runs, params/metrics diffs and repro results as tables.

Metric deltas are coloured by direction: green when the metric improved, red when it got worse
(see :mod:`nbvc.core.runs.direction`). Tables sort by any column in JupyterLab.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from nbvc.core import (
    STAGE_FAILED,
    STAGE_RAN,
    STAGE_RESTORED,
    ReproResult,
    Row,
    RunRecord,
    RunStatus,
    short_id,
    value_columns,
    value_text,
    value_tone,
)
from nbvc.kernel.display import Cell, CellLike, Rich, Table
from nbvc.kernel.views import human_time

_STATUS_TONES = {
    RunStatus.COMPLETED: "good",
    RunStatus.FAILED: "bad",
    RunStatus.INTERRUPTED: "warn",
    RunStatus.RUNNING: "warn",
}
_STAGE_TONES = {STAGE_RAN: "good", STAGE_RESTORED: "good", STAGE_FAILED: "bad", "not run": "warn"}


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _signed(value: float | None, suffix: str = "") -> str:
    return "" if value is None else f"{value:+.4g}{suffix}"


def run_label(record: RunRecord) -> str:
    """Where a run came from: the notebook's name, ``repro`` or ``python``."""
    notebook = record.extra.get("notebook")
    if notebook:
        return os.path.basename(str(notebook))
    return record.source


def runs_table(records: Sequence[RunRecord], config: Mapping[str, Any]) -> Rich:
    """Runs, newest first; each metric with its change from the run below it."""
    if not records:
        return Rich(
            "nbvc runs", notes=["No runs yet: `%repro` runs the pipeline, nbvc.log_metric logs."]
        )
    params = value_columns([r.params for r in records])
    metrics = value_columns([r.metrics for r in records])
    rows: list[list[CellLike]] = []
    for i, record in enumerate(records):
        older = records[i + 1] if i + 1 < len(records) else None
        duration = record.duration
        row: list[CellLike] = [
            Cell(record.short_id, sort=record.id),
            Cell(human_time(record.started) if record.started else "-"),
            run_label(record),
            Cell(record.status.value, _STATUS_TONES.get(record.status)),
            Cell(f"{duration:.1f}s", sort=str(duration)) if _number(duration) else "-",
        ]
        row += [_value(record.params, s, n) for s, n, _ in params]
        row += [_metric(record, older, s, n, config) for s, n, _ in metrics]
        rows.append(row)
    titles = ["run", "started", "source", "status", "time"]
    titles += [t for _, _, t in params] + [t for _, _, t in metrics]
    note = "Metric changes are from the run below; green is better, red is worse."
    groups = [("", 5), ("params", len(params)), ("metrics", len(metrics))]
    shown = Table(titles, rows, sortable=True, groups=[g for g in groups if g[1]])
    return Rich("nbvc runs", [shown], [note] if metrics else [])


def _value(values: Mapping[str, Mapping[str, Any]], source: str, name: str) -> Cell:
    value = values.get(source, {}).get(name)
    number = _number(value)
    return Cell(value_text(value), sort=None if number is None else repr(number))


def _metric(
    record: RunRecord,
    older: RunRecord | None,
    source: str,
    name: str,
    config: Mapping[str, Any],
) -> Cell:
    cell = _value(record.metrics, source, name)
    new = _number(record.metrics.get(source, {}).get(name))
    old = _number(older.metrics.get(source, {}).get(name)) if older else None
    if new is None or old is None or new == old:
        return cell
    change = new - old
    return Cell(
        cell.text,
        sort=cell.sort,
        note=f"({change:+.4g})",
        note_tone=value_tone(name, change, config),
    )


def diff_table(
    rows: Sequence[Row], old: str, new: str, what: str, config: Mapping[str, Any]
) -> Rich:
    """A params or metrics diff; metric changes are coloured by direction."""
    title = f"nbvc {what} diff {old} {new}"
    if not rows:
        return Rich(title, notes=[f"No {what} changed between {old} and {new}."])
    cells: list[list[CellLike]] = []
    for row in rows:
        change, percent = row.change, row.percent
        mood = value_tone(row.name, change, config) if what == "metrics" else None
        if what == "params" and row.changed:
            mood = "warn"
        cells.append(
            [
                row.source,
                row.name,
                Cell(value_text(row.old), sort=_sort(row.old)),
                Cell(value_text(row.new), sort=_sort(row.new)),
                Cell(_signed(change), mood, sort=_sort(change)),
                Cell(_signed(percent, "%"), mood, sort=_sort(percent)),
            ]
        )
    headers = ["file", what[:-1], old, new, "change", "%"]
    return Rich(title, [Table(headers, cells, sortable=True)])


def _sort(value: Any) -> str | None:
    number = _number(value)
    return None if number is None else repr(number)


def repro_table(result: ReproResult) -> Rich:
    rows: list[list[CellLike]] = [
        [
            outcome.stage,
            Cell(outcome.status, _STAGE_TONES.get(outcome.status)),
            outcome.error or outcome.reason,
            Cell(f"{outcome.duration:.2f}s", sort=str(outcome.duration)),
        ]
        for outcome in result.outcomes
    ]
    counts = result.counts()
    summary = ", ".join(f"{n} {status}" for status, n in counts.items()) or "no stages"
    if result.nothing_to_do:
        run = "nothing to do: no run recorded"
    else:
        run = f"run {short_id(result.run_id)}" if result.run_id else "dry run: nothing was changed"
    table = Table(["stage", "status", "reason", "time"], rows)
    return Rich(f"nbvc repro: {summary} ({run})", [table] if rows else [])
