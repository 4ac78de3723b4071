"""The parsed pipeline: small immutable value types for stages and what they read and write.

Paths here are repo-relative POSIX names (what :meth:`nbvc.core.repo.Repo.artifact` returns);
``declared`` keeps the spelling of the pipeline file (relative to the stage's ``wdir``) for
messages.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    plot: Mapping[str, Any] = field(default_factory=dict)  # x, y, template, title, ...


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
class Pipeline:
    path: str  # absolute path of the pipeline file
    file: str  # its name as shown in messages (relative to the repo root)
    stages: Mapping[str, Stage]  # in file order
    groups: Mapping[str, tuple[str, ...]]  # foreach/matrix name -> expanded stage names
    metrics: tuple[str, ...] = ()  # top-level metrics files (repo-relative)
    plots: tuple[Out, ...] = ()  # top-level plots
    params: tuple[ParamSpec, ...] = ()  # top-level params files

    @property
    def lock_path(self) -> str:
        return os.path.join(os.path.dirname(self.path), "nbvc.lock")

    def all_outs(self) -> list[tuple[Stage, Out]]:
        return [(stage, out) for stage in self.stages.values() for out in stage.outs]

    def metrics_files(self) -> list[str]:
        files = [o.path for _, o in self.all_outs() if o.section == METRICS]
        return list(dict.fromkeys([*files, *self.metrics]))

    def plot_outs(self) -> list[Out]:
        outs = [o for _, o in self.all_outs() if o.section == PLOTS]
        return list({o.path: o for o in [*outs, *self.plots]}.values())

    def param_specs(self) -> list[ParamSpec]:
        return [*(p for s in self.stages.values() for p in s.params), *self.params]
