"""``nbvc.widgets.compare()``: pick runs and metrics, see the table and the chart update."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import ipywidgets as widgets

from nbvc.core import Repo, RunNotFoundError, RunRecord, value_columns
from nbvc.kernel.plots import metric_chart
from nbvc.kernel.run_data import load_runs
from nbvc.kernel.run_views import run_label, runs_table

DEFAULT_LIMIT = 50


class CompareWidget(widgets.VBox):  # type: ignore[misc]
    """Run and metric pickers above a runs table and a Vega-Lite chart of the metric series."""

    def __init__(
        self,
        records: Sequence[RunRecord],
        config: dict[str, Any],
        runs: Sequence[str] = (),
        metrics: Sequence[str] = (),
    ) -> None:
        """``runs``: ids of runs (among ``records``) to preselect."""
        self.records = {r.id: r for r in records}
        self.config = config
        run_options = [(_option(r), r.id) for r in records]
        chosen_runs = [i for i in self.records if i in runs]
        self.run_picker = widgets.SelectMultiple(
            options=run_options,
            value=chosen_runs or [i for _, i in run_options[:2]],
            description="runs",
            rows=min(8, max(2, len(run_options))),
        )
        metric_names = [title for _, _, title in value_columns([r.metrics for r in records])]
        metric_names += [n for r in records for n in r.series if n not in metric_names]
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

    def selected(self) -> list[RunRecord]:
        return [self.records[i] for i in self.run_picker.value]

    def _update(self, change: Any = None) -> None:
        picked = set(self.metric_picker.value)
        records = [_only_metrics(r, picked) for r in self.selected()]
        self.table.value = runs_table(records, self.config)._repr_html_()
        self.chart.outputs = ()  # the model's outputs, synced to the frontend
        chart = metric_chart(records, list(self.metric_picker.value), png=False)
        if chart is not None:
            self.chart.append_display_data(chart)


def _option(record: RunRecord) -> str:
    return f"{record.short_id}  {run_label(record)}  {record.status.value}"


def _run_ids(repo: Repo, refs: Sequence[str]) -> list[str]:
    """The runs ``refs`` name; a reference that names no run (or several) selects nothing."""
    found = []
    for ref in refs:
        try:
            found.append(repo.runs.get(ref).id)
        except RunNotFoundError:
            continue
    return found


def _only_metrics(record: RunRecord, picked: set[str]) -> RunRecord:
    """The record with just the picked metrics (by name or ``source:name``) and their series."""
    metrics = {
        source: {n: v for n, v in values.items() if n in picked or f"{source}:{n}" in picked}
        for source, values in record.metrics.items()
    }
    series = {n: p for n, p in record.series.items() if n in picked}
    return replace(record, metrics={s: v for s, v in metrics.items() if v}, series=series)


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
        chosen = _run_ids(repo, runs)
    return CompareWidget(records, config, chosen, metrics)
