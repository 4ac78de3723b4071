"""Notebook widgets: ``nbvc.widgets.compare()`` compares runs (needs ipywidgets)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbvc.kernel.widgets import CompareWidget


def compare(
    runs: Sequence[str] = (),
    metrics: Sequence[str] = (),
    limit: int = 50,
    path: str | None = None,
) -> CompareWidget:
    """Pick runs and metrics; the runs table and the metric chart update as you pick.

    ``runs`` (ids or short ids) and ``metrics`` preselect; by default the two latest runs and
    every metric. ``path``: a folder inside the repo (default: the current folder).
    """
    from nbvc.kernel.widgets import compare as build

    return build(runs, metrics, limit, path)
