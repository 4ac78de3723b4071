"""What dvclive logged in a stage, read from its folder (a declared out) into the run record.

dvclive writes ``<dir>/metrics.json`` (the latest value of each metric, and ``step``) and one
``<dir>/plots/metrics/<name>.tsv`` per metric with ``step`` and value columns. Both become part
of the repro's run: the metrics under the file's path, the steps as series named like dvclive's
metrics, so notebooks, `nbvc runs` and the panel show them as they show `nbvc.log_metric`.
"""

from __future__ import annotations

import csv
import io
import math
import os
from typing import Any

from nbvc.core.errors import DataFileError
from nbvc.core.formats.datafiles import metrics_values, parse
from nbvc.core.pipeline.definition import Pipeline

METRICS_FILE = "metrics.json"
SERIES_DIR = os.path.join("plots", "metrics")

Series = dict[str, list[list[Any]]]  # metric name -> [[step, value], ...]


def dvclive_folders(root: str, pipeline: Pipeline) -> list[str]:
    """Declared outs that are dvclive folders (holding metrics.json or plots/metrics)."""
    found = []
    for _, out in pipeline.all_outs():
        path = os.path.join(root, out.path)
        if os.path.isdir(path) and (
            os.path.isfile(os.path.join(path, METRICS_FILE))
            or os.path.isdir(os.path.join(path, SERIES_DIR))
        ):
            found.append(out.path)
    return found


def dvclive_values(root: str, pipeline: Pipeline) -> tuple[dict[str, dict[str, Any]], Series]:
    """(metrics by file, series by metric name) of every dvclive folder of the pipeline."""
    metrics: dict[str, dict[str, Any]] = {}
    series: Series = {}
    for folder in dvclive_folders(root, pipeline):
        metrics_file = f"{folder}/{METRICS_FILE}"
        values = _metrics(os.path.join(root, metrics_file))
        if values:
            metrics[metrics_file] = values
        series.update(_series(os.path.join(root, folder, SERIES_DIR)))
    return metrics, series


def _metrics(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            values = metrics_values(parse(handle.read(), path))
    except (FileNotFoundError, DataFileError):
        return {}
    values.pop("step", None)
    return values


def _series(folder: str) -> Series:
    found: Series = {}
    for current, _, names in os.walk(folder):
        for name in sorted(n for n in names if n.endswith(".tsv")):
            path = os.path.join(current, name)
            metric = os.path.relpath(path, folder)[: -len(".tsv")].replace(os.sep, "/")
            points = _points(path, metric.rsplit("/", 1)[-1])
            if points:
                found[metric] = points
    return found


def _points(path: str, column: str) -> list[list[Any]]:
    try:
        with open(path, encoding="utf-8") as handle:
            rows = list(csv.DictReader(io.StringIO(handle.read()), delimiter="\t"))
    except (FileNotFoundError, UnicodeDecodeError, csv.Error):
        return []
    points = []
    for i, row in enumerate(rows):
        value = _number(row.get(column) if column in row else list(row.values())[-1])
        step = _number(row.get("step"))
        step_int = int(step) if step is not None else i
        shown = value if value is not None and math.isfinite(value) else None
        stamp = _number(row.get("timestamp"))
        points.append([step_int, shown] if stamp is None else [step_int, shown, stamp / 1000])
    return points


def _number(text: Any) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None
