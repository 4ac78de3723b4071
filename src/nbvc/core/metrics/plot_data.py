"""Collecting what to plot for runs, the workspace or git revisions: metric series and the
plots the pipeline defines (data files drawn with templates, images embedded).

Each reference is a source of plot definitions and files: a run (its record keeps the
definitions and every plot file as an object), the workspace (the pipeline file and the files)
or a git revision (the pipeline file at that revision; files from git, or for cached outputs
through the revision's lock from the caches or a DVC remote). Plots with the same id from
several references are drawn together, one colour (or panel) per reference.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nbvc.core.errors import DataFileError, NbvcError, NoPipelineError
from nbvc.core.formats.datafiles import parse, plot_rows
from nbvc.core.metrics.plot_sources import (
    RevisionSource,
    RunSource,
    Source,
    WorkspaceSource,
)
from nbvc.core.metrics.plots import data_spec, image_spec, is_image, series_spec
from nbvc.core.metrics.revision import Fetch
from nbvc.core.pipeline import schema
from nbvc.core.pipeline.definition import PlotDef
from nbvc.core.pipeline.plot_files import plot_files
from nbvc.core.repo import Repo
from nbvc.core.runs.run_index import RunIndex
from nbvc.core.runs.run_refs import WORKSPACE, RefKind, resolve_run

Rows = list[dict[str, Any]]


@dataclass
class _Plot:
    """One plot being gathered: its definition and what each source holds for it."""

    definition: PlotDef
    data: dict[str, dict[str, Rows]] = field(default_factory=dict)  # rev -> file -> rows
    images: dict[str, bytes] = field(default_factory=dict)  # rev -> image
    custom: dict[str, Any] | None = None


def plot_specs(repo: Repo, refs: Sequence[str], fetch: Fetch | None = None) -> list[dict[str, Any]]:
    """Vega-Lite specs for ``refs`` (run ids, ``workspace`` or git revisions; default: the
    latest run, or the workspace if there is none)."""
    return [spec for _, spec in named_plot_specs(repo, refs, fetch)]


def named_plot_specs(
    repo: Repo, refs: Sequence[str], fetch: Fetch | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """Like :func:`plot_specs`, each spec with an id: ``metric:<name>`` or ``file:<plot id>``."""
    index = RunIndex(repo)
    if not refs:
        latest = index.latest()
        refs = [latest] if latest else [WORKSPACE]
    series: dict[str, dict[str, list[tuple[int, float | None]]]] = {}
    plots: dict[str, _Plot] = {}
    for ref in refs:
        source = _source(repo, ref, fetch)
        if isinstance(source, RunSource):
            for name, points in (source.record.get("series") or {}).items():
                series.setdefault(name, {})[source.label] = [(int(p[0]), p[1]) for p in points]
        _gather(source, plots)
    specs = [
        (f"metric:{name}", series_spec(name, by_run)) for name, by_run in sorted(series.items())
    ]
    for plot_id, plot in plots.items():
        spec = _spec(plot_id, plot)
        if spec is not None:
            specs.append((f"file:{plot_id}", spec))
    return specs


def _source(repo: Repo, ref: str, fetch: Fetch | None) -> Source:
    found = resolve_run(repo, ref, workspace=True, git=True)
    if found.kind is RefKind.WORKSPACE:
        return WorkspaceSource(repo)
    if found.run is not None:
        return RunSource(repo, found.run.to_record(), found.run.short_id)
    assert found.commit is not None
    return RevisionSource(repo, ref, found.commit, fetch)


def _gather(source: Source, plots: dict[str, _Plot]) -> None:
    try:
        definitions = source.definitions()
    except NoPipelineError:
        return
    for definition in definitions:
        files = plot_files(definition, source.is_file, source.files_under)
        if not definition.is_path:
            plot = plots.setdefault(definition.id, _Plot(definition))
            _add_data(plot, source, files)
            continue
        for path in files:
            plot = plots.setdefault(path, _Plot(definition))
            if is_image(path):
                image = source.read(path)
                if image is not None:
                    plot.images[source.label] = image
            else:
                _add_data(plot, source, [path])


def _add_data(plot: _Plot, source: Source, files: list[str]) -> None:
    found = {}
    for path in files:
        data = source.read(path)
        if data is not None:
            found[path] = _rows(data.decode("utf-8", "replace"), path)
    if found:
        plot.data[source.label] = found
    template = plot.definition.props.get("template")
    if plot.custom is None and template and template not in schema.TEMPLATES:
        plot.custom = _custom_template(source, str(template))


def _spec(plot_id: str, plot: _Plot) -> dict[str, Any] | None:
    if plot.images:
        return image_spec(plot_id, plot.images)
    if not plot.data:
        return None
    props = dict(plot.definition.props)
    if plot.definition.is_path and plot_id != plot.definition.id:
        props.pop("title", None)  # one of a folder's files: titled by its own path
    return data_spec(plot_id, plot.data, props, plot.custom)


def _custom_template(source: Source, name: str) -> dict[str, Any]:
    for candidate in schema.template_candidates(name):
        data = source.read(candidate) or WorkspaceSource(source.repo).read(candidate)
        if data is None:
            continue
        try:
            content = json.loads(data)
        except ValueError:
            raise NbvcError(f"plot template {candidate} is not valid JSON; fix it") from None
        if not isinstance(content, dict):
            raise NbvcError(f"plot template {candidate} must hold a Vega-Lite spec (an object)")
        return content
    raise NbvcError(schema.check_template(name, lambda _: False) or f"no template {name!r}")


def _rows(text: str, path: str) -> Rows:
    try:
        return plot_rows(parse(text, path))
    except DataFileError as exc:
        raise NbvcError(str(exc)) from None
