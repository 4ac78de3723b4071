"""Collecting what to plot for some runs (or the workspace): metric series and plot files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nbvc.core.errors import NbvcError, NoPipelineError, RefError
from nbvc.core.formats.datafiles import DataFileError, parse, plot_rows
from nbvc.core.metrics.compare import WORKSPACE
from nbvc.core.metrics.plots import file_spec, series_spec
from nbvc.core.pipeline.loader import load_pipeline, workspace_reader
from nbvc.core.repo import Repo
from nbvc.core.runs.run_index import RunIndex, short_id
from nbvc.core.runs.run_record import RUNS


def plot_specs(repo: Repo, refs: Sequence[str]) -> list[dict[str, Any]]:
    """Vega-Lite specs for ``refs`` (run ids or ``workspace``; default: the latest run)."""
    return [spec for _, spec in named_plot_specs(repo, refs)]


def named_plot_specs(repo: Repo, refs: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    """Like :func:`plot_specs`, each spec with an id: ``metric:<name>`` or ``file:<path>``."""
    index = RunIndex(repo)
    if not refs:
        latest = index.latest()
        refs = [latest] if latest else [WORKSPACE]
    series: dict[str, dict[str, list[tuple[int, float | None]]]] = {}
    files: dict[str, dict[str, list[dict[str, Any]]]] = {}
    props: dict[str, dict[str, Any]] = {}
    for ref in refs:
        if ref == WORKSPACE:
            _workspace_files(repo, files, props)
            continue
        run_id = index.resolve(ref)
        if run_id is None:
            raise RefError(f"no run {ref!r}; `nbvc runs` lists run ids")
        record = repo.records.read(RUNS, run_id)
        label = short_id(run_id)
        for name, points in (record.get("series") or {}).items():
            series.setdefault(name, {})[label] = [(int(p[0]), p[1]) for p in points]
        for plot in record.get("plots") or ():
            rows = _rows(repo.odb.read_bytes(plot["oid"]).decode("utf-8", "replace"), plot["path"])
            files.setdefault(plot["path"], {})[label] = rows
            props.setdefault(plot["path"], plot.get("props") or {})
    specs = [
        (f"metric:{name}", series_spec(name, by_run)) for name, by_run in sorted(series.items())
    ]
    specs += [
        (f"file:{path}", file_spec(path, by_run, props[path])) for path, by_run in files.items()
    ]
    return specs


def _workspace_files(
    repo: Repo, files: dict[str, dict[str, list[dict[str, Any]]]], props: dict[str, Any]
) -> None:
    try:
        pipeline = load_pipeline(repo.root, check_workspace=False)
    except NoPipelineError:
        return
    read = workspace_reader(repo.root)
    for out in pipeline.plot_outs():
        text = read(out.path)
        if text is None:
            continue
        files.setdefault(out.path, {})[WORKSPACE] = _rows(text, out.path)
        props.setdefault(out.path, dict(out.plot))


def _rows(text: str, path: str) -> list[dict[str, Any]]:
    try:
        return plot_rows(parse(text, path))
    except DataFileError as exc:
        raise NbvcError(str(exc)) from None
