"""The parsed pipeline: small immutable value types for stages and what they read and write.

Paths here are repo-relative POSIX names (what :meth:`nbvc.core.repo.Repo.artifact` returns);
``declared`` keeps the spelling of the pipeline file (relative to the stage's ``wdir``) for
messages.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OUTS, METRICS, PLOTS = "outs", "metrics", "plots"


@dataclass(frozen=True)
class Dep:
    path: str
    declared: str
    line: int | None


@dataclass(frozen=True)
class Out:
    path: str
    declared: str
    line: int | None
    section: str = OUTS  # outs, metrics or plots
    cache: bool = True
    persist: bool = False
    plots: tuple[Mapping[str, Any], ...] = ()  # plot props (x, y, template, title, ...)


@dataclass(frozen=True)
class ParamSpec:
    """Params a stage reads from one file: some dotted keys, or (``keys=None``) all of them."""

    file: str
    declared: str
    keys: tuple[str, ...] | None
    line: int | None


@dataclass(frozen=True)
class NotebookSpec:
    path: str
    kernel: str | None
    parameters: Mapping[str, Any]  # explicit values, injected after the `parameters` cell
    output: str | None  # where the executed copy goes (also an out of the stage)


@dataclass(frozen=True)
class Stage:
    name: str
    line: int | None
    wdir: str  # repo-relative, "" for the root
    cmd: str | tuple[str, ...] | None
    notebook: NotebookSpec | None
    deps: tuple[Dep, ...]
    outs: tuple[Out, ...]  # outs, metrics and plots
    params: tuple[ParamSpec, ...]
    frozen: bool = False
    always_changed: bool = False
    desc: str | None = None

    @property
    def commands(self) -> tuple[str, ...]:
        if self.cmd is None:
            return ()
        return (self.cmd,) if isinstance(self.cmd, str) else self.cmd

    def definition(self) -> dict[str, Any]:
        """What the stage runs, as recorded in the lock file: a change means a rerun."""
        doc: dict[str, Any] = {}
        if self.notebook is not None:
            nb: dict[str, Any] = {"path": self.notebook.path}
            if self.notebook.kernel:
                nb["kernel"] = self.notebook.kernel
            if self.notebook.parameters:
                nb["parameters"] = dict(self.notebook.parameters)
            if self.notebook.output:
                nb["output"] = self.notebook.output
            doc["notebook"] = nb
        else:
            doc["cmd"] = self.cmd if isinstance(self.cmd, str) else list(self.commands)
        if self.wdir:
            doc["wdir"] = self.wdir
        return doc


@dataclass(frozen=True)
class PlotDef:
    """A plot: a file, folder or glob (``is_path``) drawn with ``props``, or a named plot whose
    ``y`` (and maybe ``x``) maps files to columns. Paths are repo-relative."""

    id: str
    props: Mapping[str, Any]  # x, y, template, title, x_label, y_label
    line: int | None = None
    is_path: bool = True

    def files(self) -> list[str]:
        """The data files a named plot reads (its ``y`` and ``x`` mappings)."""
        found = [*_mapped(self.props.get("y")), *_mapped(self.props.get("x"))]
        return list(dict.fromkeys(found))


def _mapped(value: Any) -> list[str]:
    return [str(k) for k in value] if isinstance(value, Mapping) else []


@dataclass(frozen=True)
class Artifact:
    """An entry of the top-level ``artifacts:`` (a model or dataset, like DVC's)."""

    name: str
    path: str
    type: str | None = None
    desc: str | None = None
    labels: tuple[str, ...] = ()
    meta: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "type": self.type,
            "desc": self.desc,
            "labels": list(self.labels),
            "meta": self.meta,
        }


@dataclass(frozen=True)
class Pipeline:
    path: str  # absolute path of the pipeline file
    file: str  # its name as shown in messages (relative to the repo root)
    stages: Mapping[str, Stage]  # in file order
    groups: Mapping[str, tuple[str, ...]]  # foreach/matrix name -> expanded stage names
    metrics: tuple[str, ...] = ()  # top-level metrics files (repo-relative)
    plots: tuple[PlotDef, ...] = ()  # top-level plots
    params: tuple[ParamSpec, ...] = ()  # top-level params files
    artifacts: tuple[Artifact, ...] = ()
    datasets: tuple[Mapping[str, Any], ...] = ()

    @property
    def lock_path(self) -> str:
        return os.path.join(os.path.dirname(self.path), "nbvc.lock")

    def all_outs(self) -> list[tuple[Stage, Out]]:
        return [(stage, out) for stage in self.stages.values() for out in stage.outs]

    def metrics_files(self) -> list[str]:
        files = [o.path for _, o in self.all_outs() if o.section == METRICS]
        return list(dict.fromkeys([*files, *self.metrics]))

    def plot_defs(self) -> list[PlotDef]:
        """Every plot: the stages' plot outs (one per props entry), then the top-level ones."""
        defs = [
            PlotDef(o.path, props, o.line)
            for _, o in self.all_outs()
            if o.section == PLOTS
            for props in (o.plots or ({},))
        ]
        return [*defs, *self.plots]

    def param_specs(self) -> list[ParamSpec]:
        return [*(p for s in self.stages.values() for p in s.params), *self.params]
