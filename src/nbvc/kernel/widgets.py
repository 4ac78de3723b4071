"""``nbvc.widgets.compare()``: pick runs and metrics, see the table and the chart update."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from nbvc.core.repo import Repo
from nbvc.core.runs.run_index import short_id
from nbvc.core.runs.table import columns
from nbvc.kernel.plots import metric_chart
from nbvc.kernel.run_data import Record, load_runs
from nbvc.kernel.run_views import run_label, runs_table

DEFAULT_LIMIT = 50


class CompareWidget(widgets.VBox):  # type: ignore[misc]
    """Run and metric pickers above a runs table and a Vega-Lite chart of the metric series."""

    def __init__(
        self,
        records: Sequence[Record],
        config: dict[str, Any],
        runs: Sequence[str] = (),
        metrics: Sequence[str] = (),
    ) -> None:
        self.records = {r["id"]: r for r in records}
        self.config = config
        run_options = [(_option(r), r["id"]) for r in records]
        chosen_runs = [i for i in self.records if any(_matches(i, ref) for ref in runs)]
        self.run_picker = widgets.SelectMultiple(
            options=run_options,
            value=chosen_runs or [i for _, i in run_options[:2]],
            description="runs",
            rows=min(8, max(2, len(run_options))),
        )
        metric_names = [title for _, _, title in columns(records, "metrics")]
        metric_names += [n for r in records for n in r.get("series") or {} if n not in metric_names]
        self.metric_picker = widgets.SelectMultiple(
            options=metric_names,
            value=[m for m in metrics if m in metric_names] or metric_names,
            description="metrics",
            rows=min(8, max(2, len(metric_names))),
        )
        self.table = widgets.HTML()
        self.chart = widgets.Output()
        super().__init__(
            [widgets.HBox([self.run_picker, self.metric_picker]), self.table, self.chart]
        )
        self.run_picker.observe(self._update, names="value")
        self.metric_picker.observe(self._update, names="value")
        self._update()

    def selected(self) -> list[Record]:
        return [self.records[i] for i in self.run_picker.value]

    def _update(self, change: Any = None) -> None:
        picked = set(self.metric_picker.value)
        records = [_only_metrics(r, picked) for r in self.selected()]
        self.table.value = runs_table(records, self.config)._repr_html_()
        self.chart.outputs = ()  # the model's outputs, synced to the frontend
        chart = metric_chart(records, list(self.metric_picker.value), png=False)
        if chart is not None:
            self.chart.append_display_data(chart)


def _option(record: Record) -> str:
    return f"{short_id(record['id'])}  {run_label(record)}  {record.get('status', '')}"


def _matches(run_id: str, ref: str) -> bool:
    return len(ref) >= 4 and (run_id == ref or run_id.startswith(ref) or run_id.endswith(ref))


def _only_metrics(record: Record, picked: set[str]) -> Record:
    """The record with just the picked metrics (by name or ``source:name``) and their series."""
    metrics = {
        source: {n: v for n, v in values.items() if n in picked or f"{source}:{n}" in picked}
        for source, values in (record.get("metrics") or {}).items()
    }
    series = {n: p for n, p in (record.get("series") or {}).items() if n in picked}
    return {**record, "metrics": {s: v for s, v in metrics.items() if v}, "series": series}


def compare(
    runs: Sequence[str] = (),
    metrics: Sequence[str] = (),
    limit: int = DEFAULT_LIMIT,
    path: str | None = None,
) -> CompareWidget:
    """A widget comparing runs of the repo at ``path`` (default: the current folder).

    ``runs`` (ids or short ids) and ``metrics`` preselect; by default the two latest runs and
    every metric are shown.
    """
    with Repo.find(path) as repo:
        records = load_runs(repo, limit)
        config = repo.config.raw
    return CompareWidget(records, config, runs, metrics)
