"""A sweep in a notebook: its table (best values marked) and a chart of params against a metric."""

from __future__ import annotations

from typing import Any

from nbvc.core import VEGA_LITE_SCHEMA, ApplyResult, SweepTable, short_id, value_text
from nbvc.kernel.display import Cell, CellLike, Rich, Table
from nbvc.kernel.plots import VegaLite

_TONES = {"failed": "bad", "interrupted": "warn", "queued": "dim", "running": "dim"}


def sweep_table(found: SweepTable) -> Rich:
    """The sweep's points: params, metrics (the best of each in green), status, time."""
    rows: list[list[CellLike]] = []
    for row in found.rows:
        cells: list[CellLike] = [
            Cell(row.name, sort=row.id),
            Cell(short_id(row.id)),
            Cell(row.status, _TONES.get(row.status)),
            Cell(f"{row.duration:.1f}s", sort=str(row.duration)) if row.duration else "-",
        ]
        cells += [Cell(value_text(row.params.get(p))) for p in found.params]
        cells += [
            Cell(
                value_text(row.metrics.get(m)),
                "good" if found.best.get(m) == row.id else None,
                sort=str(row.metrics.get(m, "")),
            )
            for m in found.metrics
        ]
        rows.append(cells)
    columns = ["experiment", "run", "status", "time", *found.params, *found.metrics]
    counts = ", ".join(f"{n} {state}" for state, n in sorted(found.sweep.counts().items()))
    title = f"sweep {found.sweep.name} ({short_id(found.sweep.id)}): {found.sweep.status}; {counts}"
    notes = ["The best value of each metric is green."] if found.metrics else []
    return Rich(title, [Table(columns, rows, sortable=True)], notes)


def sweep_chart(found: SweepTable, metric: str | None = None) -> VegaLite | None:
    """The chosen metric (default: the first) against the first param, coloured by the second:
    one point per finished experiment."""
    metric = metric or (found.metrics[0] if found.metrics else None)
    if metric is None or not found.params:
        return None
    x = found.params[0]
    color = found.params[1] if len(found.params) > 1 else None
    values = [
        {
            "x": row.params.get(x),
            "y": row.metrics[metric],
            "c": str(row.params.get(color, "")) if color else "",
            "name": row.name,
        }
        for row in found.rows
        if isinstance(row.metrics.get(metric), int | float)
    ]
    if not values:
        return None
    encoding: dict[str, Any] = {
        "x": {"field": "x", "type": "quantitative", "title": x, "scale": {"zero": False}},
        "y": {"field": "y", "type": "quantitative", "title": metric, "scale": {"zero": False}},
        "tooltip": [{"field": "name"}, {"field": "x", "title": x}, {"field": "y", "title": metric}],
    }
    if color is not None:
        encoding["color"] = {"field": "c", "type": "nominal", "title": color}
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "title": f"{metric} by {x}",
        "data": {"values": values},
        "mark": {"type": "point", "filled": True, "size": 80},
        "encoding": encoding,
        "width": 360,
        "height": 220,
    }
    text = f"{metric} by {x}: " + ", ".join(f"{v['x']}={value_text(v['y'])}" for v in values)
    return VegaLite(spec, text, png=False)


def applied(result: ApplyResult) -> Rich:
    """What restoring a run's params, deps and outs did (``%exp_apply``,
    ``%version_checkout --run``)."""
    notes = [f"params set in {f}" for f in result.params_files]
    notes += [f"restored {p}" for p in result.restored]
    if result.missing:
        notes.append(f"not in nbvc (restore from git): {', '.join(result.missing)}")
    if result.git:
        notes.append(f"its code came from git commit {result.git[:12]}")
    return Rich(f"applied run {result.run.short_id}", [], notes)
