"""``repo.metrics``: params and metrics of runs, the workspace or git revisions, compared and
plotted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nbvc.core.metrics import compare
from nbvc.core.metrics.plot_data import named_plot_specs
from nbvc.core.metrics.revision import Fetch
from nbvc.core.repo import Repo
from nbvc.core.runs.run_refs import WORKSPACE

LAST = "last"


@dataclass(frozen=True)
class Comparison:
    old: compare.Side
    new: compare.Side
    rows: list[compare.Row]


class Metrics:
    def __init__(self, repo: Repo, fetch: Fetch | None = None) -> None:
        """``fetch`` reads objects of cached outputs at old git revisions from a DVC remote."""
        self._repo = repo
        self._fetch = fetch

    def side(self, ref: str | None, default: str = WORKSPACE) -> compare.Side:
        """The params and metrics ``ref`` names (a run, ``workspace``, a git revision);
        ``None`` means ``default`` (``workspace`` or ``last``)."""
        return compare.resolve(self._repo, ref, default, self._fetch)

    def diff(self, what: str, a: str | None, b: str | None, show_all: bool = False) -> Comparison:
        """``params`` or ``metrics`` of ``a`` (default: the last run) against ``b`` (default:
        the workspace): the rows that differ, or every row with ``show_all``."""
        old = self.side(a, LAST)
        new = self.side(b, WORKSPACE)
        return Comparison(old, new, compare.diff_sides(old, new, what, show_all))

    def plots(self, refs: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
        """Vega-Lite specs (``metric:<name>`` or ``file:<plot id>``, spec) for runs, the
        workspace or git revisions; default the latest run (the workspace if there is none)."""
        return named_plot_specs(self._repo, refs, self._fetch)
