"""Params and metrics of a run, the workspace or a git revision, and the diff of two of them.

A reference is whatever :func:`nbvc.core.runs.run_refs.resolve_run` accepts: ``workspace``, a
run (id, unique prefix, short id, ``last~N``, ``name@alias``) or a git revision. For a git
revision the pipeline file, params files and metrics files are read from git; a metrics file
that git does not have (a cached out) is read from the nbvc cache through that revision's
`nbvc.lock`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nbvc.core.errors import NbvcError, RefError
from nbvc.core.formats.datafiles import flatten, parse
from nbvc.core.metrics.revision import Fetch, RevisionReader
from nbvc.core.pipeline.loader import (
    PARAMS_FILE,
    PIPELINE_FILES,
    ReadText,
    parse_pipeline,
    workspace_reader,
)
from nbvc.core.pipeline.values import Values, metrics_of, params_of
from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import LOGGED, RunRecord
from nbvc.core.runs.run_refs import WORKSPACE, RefKind, latest_run, resolve_run


@dataclass(frozen=True)
class Side:
    label: str
    kind: str  # run, workspace or git
    params: Values
    metrics: Values
    logged_by: str | None = None  # a run's notebook, script or `repro`: where "logged" came from

    def source_label(self, source: str) -> str:
        """How tables name a values' source: its file, or what logged it from code."""
        if source == LOGGED and self.logged_by:
            return f"{LOGGED} by {self.logged_by}"
        return source


@dataclass(frozen=True)
class Row:
    source: str  # the params/metrics file, or "logged"
    name: str
    old: Any
    new: Any

    @property
    def change(self) -> float | None:
        if _is_number(self.old) and _is_number(self.new):
            return float(self.new) - float(self.old)
        return None

    @property
    def percent(self) -> float | None:
        change = self.change
        if change is None or float(self.old) == 0:
            return None
        return change / abs(float(self.old)) * 100

    @property
    def changed(self) -> bool:
        return self.old != self.new or type(self.old) is not type(self.new)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.source,
            "name": self.name,
            "old": self.old,
            "new": self.new,
            "change": self.change,
            "percent": self.percent,
        }


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def resolve(repo: Repo, ref: str | None, default: str, fetch: Fetch | None = None) -> Side:
    """The side ``ref`` names; ``None`` means ``default`` (``workspace`` or ``last`` run).

    ``fetch`` gets objects of cached outputs at a git revision from a DVC remote."""
    if ref is None:
        if default == WORKSPACE:
            return workspace_side(repo)
        last = latest_run(repo)
        if last is None:
            raise RefError(
                "there are no runs yet: run `nbvc repro`, log from code with nbvc.log_metric, "
                "or name two git revisions"
            )
        return run_side(last)
    found = resolve_run(repo, ref, workspace=True, git=True)
    if found.kind is RefKind.WORKSPACE:
        return workspace_side(repo)
    if found.run is not None:
        return run_side(found.run)
    assert found.commit is not None
    return git_side(repo, ref, found.commit, fetch)


def run_side(run: RunRecord) -> Side:
    return Side(run.short_id, "run", run.params, run.metrics, logged_by(run))


def logged_by(run: RunRecord) -> str:
    """What logged a run's values from code: its notebook, its script, or its source."""
    for key in ("notebook", "script"):
        where = run.extra.get(key)
        if isinstance(where, str) and where:
            return os.path.basename(where)
    return run.source


def workspace_side(repo: Repo) -> Side:
    return _side_from(repo, WORKSPACE, "workspace", workspace_reader(repo.root))


def git_side(repo: Repo, ref: str, commit: str, fetch: Fetch | None = None) -> Side:
    return _side_from(repo, ref, "git", RevisionReader(repo, commit, fetch).read_text)


def _side_from(repo: Repo, label: str, kind: str, read: ReadText) -> Side:
    for name in PIPELINE_FILES:
        text = read(name)
        if text is not None:
            try:
                pipeline = parse_pipeline(text, name, read)
            except NbvcError as exc:
                raise NbvcError(f"cannot read the pipeline at {label}: {exc}") from None
            return Side(label, kind, params_of(pipeline, read), metrics_of(pipeline, read))
    params_text = read(PARAMS_FILE)
    params = {PARAMS_FILE: flatten(parse(params_text, PARAMS_FILE))} if params_text else {}
    return Side(label, kind, {k: v for k, v in params.items() if v}, {})


def diff(old: Values, new: Values, show_all: bool = False, logged: bool = True) -> list[Row]:
    """Rows for every name on either side (only changed ones unless ``show_all``)."""
    rows = []
    sources = list(dict.fromkeys([*old, *new]))
    for source in sources:
        if source == LOGGED and not logged:
            continue
        a, b = _flat(old.get(source)), _flat(new.get(source))
        for name in sorted(set(a) | set(b)):
            row = Row(source, name, a.get(name), b.get(name))
            if show_all or row.changed:
                rows.append(row)
    return rows


def diff_sides(a: Side, b: Side, what: str, show_all: bool = False) -> list[Row]:
    """``what`` is params or metrics; logged values count only between two runs."""
    both_runs = a.kind == "run" and b.kind == "run"
    return diff(getattr(a, what), getattr(b, what), show_all, logged=both_runs)


def _flat(values: Mapping[str, Any] | None) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in (values or {}).items():
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, name))
        else:
            flat[name] = value
    return flat
