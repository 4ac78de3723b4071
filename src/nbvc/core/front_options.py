"""The options of the verbs that only the front ends read: ``status``, ``log``, ``checkout``,
``lineage``, ``runs`` and ``plots`` (the engine takes plain arguments for these).

Declared once, like those of :mod:`nbvc.core.verbs`: the command line and the verb's magic both
parse with these declarations, so a notebook offers every option the CLI offers
(``tests/kernel/test_verb_options.py`` checks each). None is a REST job argument.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from nbvc.core.errors import NbvcError
from nbvc.core.verbs import option

T = TypeVar("T")
PLOTS_PAGE = os.path.join("nbvc_plots", "index.html")  # as DVC's dvc_plots/index.html


def _option(default: T, help: str, *flags: str, **how: Any) -> T:
    """An option these verbs offer on the command line and in notebooks, not over REST."""
    return option(default, help, *flags, rest=None, **how)


@dataclass(frozen=True)
class StatusOptions:
    paths: tuple[str, ...] = _option((), "artifacts to check (default: all)", metavar="PATH")
    json: bool = _option(False, "machine-readable output", "--json")
    exit_code: bool = _option(
        False,
        "exit 1 if anything is not unchanged (in a notebook: the cell fails)",
        "--exit-code",
    )
    remote: str | None = _option(
        None,
        "instead, show what is missing here and on a remote (default: the default remote)",
        "--remote",
        metavar="NAME",
        const="",
    )


@dataclass(frozen=True)
class LogOptions:
    path: str = _option("", "a tracked artifact", metavar="PATH")
    json: bool = _option(False, "machine-readable output", "--json")


@dataclass(frozen=True)
class CheckoutOptions:
    specs: tuple[str, ...] = _option(
        (),
        "what to restore: PATH (the version its pointer file names) or PATH@REF, where REF is "
        "vN, a tag or a git revision",
        metavar="PATH[@REF]",
    )
    force: bool = _option(False, "discard workspace changes not saved in nbvc", "-f", "--force")
    run: str | None = _option(
        None,
        "restore everything run RUN used and made (as `nbvc exp apply RUN`)",
        "--run",
        metavar="RUN",
    )

    def checked(self) -> CheckoutOptions:
        """These options, if they say what to restore in one way: PATH[@REF]... or --run."""
        if (self.run is None) == (not self.specs):
            raise NbvcError("give PATH[@REF]... or --run RUN (not both)")
        return self


@dataclass(frozen=True)
class LineageOptions:
    spec: str = _option(
        "",
        "an artifact version (REF: vN, tag, git rev) or any file cells wrote",
        metavar="PATH[@REF]",
    )
    json: bool = _option(False, "the lineage tree as JSON", "--json", exclusive="form")
    dot: bool = _option(False, "the lineage graph in Graphviz DOT", "--dot", exclusive="form")
    mermaid: bool = _option(
        False, "the graph as a Mermaid flowchart", "--mermaid", exclusive="form"
    )
    script: bool = _option(
        False,
        "the code of the cells that produced it, in execution order, as a runnable script",
        "--script",
        exclusive="form",
    )


@dataclass(frozen=True)
class RunsOptions:
    """``nbvc runs`` without a subcommand: the list of runs."""

    json: bool = _option(False, "machine-readable output", "--json")
    filter: str | None = _option(
        None,
        "MLflow search syntax, e.g. \"metrics.acc > 0.9 and params.model = 'rf'\"",
        "--filter",
        metavar="EXPR",
        words=True,
    )
    sort: str | None = _option(
        None,
        "a metric (in its own direction: loss lowest first), `-KEY`/`KEY:desc` highest "
        "first, `+KEY`/`KEY:asc` lowest first; `params.NAME`; started, ended, duration, status",
        "--sort",
        metavar="KEY",
    )
    asc: bool = _option(False, "with --sort: lowest first", "--asc")
    limit: int | None = _option(
        None,
        "show at most N runs (default: all; in a notebook, the newest 20)",
        "-n",
        "--limit",
        metavar="N",
        minimum=1,
    )
    deleted: bool = _option(False, "list the soft-deleted runs", "--deleted")


@dataclass(frozen=True)
class PlotsOptions:
    """``nbvc plots show``."""

    refs: tuple[str, ...] = _option(
        (),
        "run ids, `workspace`, git revisions (default: the latest run)",
        metavar="REF",
    )
    out: str | None = _option(
        None,
        f"where to write the page (default: {PLOTS_PAGE})",
        "-o",
        "--out",
        metavar="FILE.html",
    )
    json: bool = _option(False, "print the Vega-Lite specs instead", "--json")


@dataclass(frozen=True)
class PlotsDiffOptions(PlotsOptions):
    """``nbvc plots diff``: git revisions against each other."""

    refs: tuple[str, ...] = _option(
        (),
        "git revisions (none: HEAD and the workspace; one: it and the workspace)",
        metavar="REV",
    )


def plots_diff_refs(refs: Sequence[str]) -> list[str]:
    """What ``plots diff REV...`` draws: none given, HEAD and the workspace; one, that revision
    and the workspace; more, those."""
    if len(refs) >= 2:
        return list(refs)
    return [refs[0] if refs else "HEAD", "workspace"]
