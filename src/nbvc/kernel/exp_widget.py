"""The live widget of ``%exp_run``: progress, a table that fills in as results arrive, and a chart
of params against the chosen metric."""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as widgets

from nbvc.core import Repo, RunRecord, SweepProgress
from nbvc.kernel.exp_views import sweep_chart, sweep_table


class SweepWidget(widgets.VBox):  # type: ignore[misc]
    """A sweep listener that shows itself (see ``nbvc.core`` ``SweepListener``)."""

    def __init__(self, repo: Repo, metric: str | None = None) -> None:
        self.repo = repo
        self.metric = metric
        self.bar = widgets.IntProgress(value=0, min=0, max=1, description="sweep")
        self.status = widgets.Label()
        self.table = widgets.HTML()
        self.chart = widgets.Output()
        self.sweep_id: str | None = None
        self._lock = threading.Lock()
        super().__init__([widgets.HBox([self.bar, self.status]), self.table, self.chart])

    def sweep_started(self, sweep: SweepProgress) -> None:
        from IPython.display import display

        self.sweep_id = sweep.id
        self.bar.max = max(sweep.total, 1)
        self._refresh(sweep, table=True)
        display(self)  # type: ignore[no-untyped-call]

    def experiment_started(self, sweep: SweepProgress, exp_id: str) -> None:
        self._refresh(sweep, table=False)

    def experiment_finished(self, sweep: SweepProgress, run: RunRecord) -> None:
        self._refresh(sweep, table=True)

    def sweep_finished(self, sweep: SweepProgress) -> None:
        self._refresh(sweep, table=True)

    def _refresh(self, sweep: SweepProgress, table: bool) -> None:
        with self._lock:
            self.bar.value = sweep.done
            eta = sweep.eta()
            self.status.value = (
                f"{sweep.done}/{sweep.total} done, {len(sweep.running)} running, "
                f"{sweep.failed} failed"
                + (f", ETA {eta:.0f}s" if eta is not None else "")
                + (f" — {sweep.status.value}" if sweep.status is not None else "")
            )
            if table and self.sweep_id is not None:
                self._show(self.repo.experiments.table(self.sweep_id))

    def _show(self, found: Any) -> None:
        self.table.value = sweep_table(found)._repr_html_()
        chart = sweep_chart(found, self.metric)
        self.chart.outputs = ()
        if chart is not None:
            self.chart.append_display_data(chart)
