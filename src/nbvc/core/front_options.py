"""The options of the verbs that only the front ends read: ``log``, ``checkout``, ``lineage``,
``runs`` and ``plots`` (the engine takes plain arguments for these; ``status``, whose start-up
is a benchmark target, has its own module: :mod:`nbvc.core.status_options`).

Declared once, like those of :mod:`nbvc.core.verbs`: the command line and the verb's magic both
parse with these declarations, so a notebook offers every option the CLI offers
(``tests/kernel/test_verb_options.py`` checks each). None is a REST job argument.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from nbvc.core.errors import NbvcError
from nbvc.core.verbs import front_option

T = TypeVar("T")
PLOTS_PAGE = os.path.join("nbvc_plots", "index.html")  # as DVC's dvc_plots/index.html


@dataclass(frozen=True)
class LogOptions:
    path: str = front_option("", "a tracked artifact", metavar="PATH")
    json: bool = front_option(False, "machine-readable output", "--json")


@dataclass(frozen=True)
class CheckoutOptions:
    specs: tuple[str, ...] = front_option(
        (),
        "what to restore: PATH (the version its pointer file names) or PATH@REF, where REF is "
        "vN, a tag or a git revision",
        metavar="PATH[@REF]",
    )
    force: bool = front_option(
        False, "discard workspace changes not saved in nbvc", "-f", "--force"
    )
    run: str | None = front_option(
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
    spec: str = front_option(
        "",
        "an artifact version (REF: vN, tag, git rev) or any file cells wrote",
        metavar="PATH[@REF]",
    )
    json: bool = front_option(False, "the lineage tree as JSON", "--json", exclusive="form")
    dot: bool = front_option(False, "the lineage graph in Graphviz DOT", "--dot", exclusive="form")
    mermaid: bool = front_option(
        False, "the graph as a Mermaid flowchart", "--mermaid", exclusive="form"
    )
    script: bool = front_option(
        False,
        "the code of the cells that produced it, in execution order, as a runnable script",
        "--script",
        exclusive="form",
    )


@dataclass(frozen=True)
class RunsOptions:
    """``nbvc runs`` without a subcommand: the list of runs."""

    json: bool = front_option(False, "machine-readable output", "--json")
    filter: str | None = front_option(
        None,
        "MLflow search syntax, e.g. \"metrics.acc > 0.9 and params.model = 'rf'\"",
        "--filter",
        metavar="EXPR",
        words=True,
    )
    sort: str | None = front_option(
        None,
        "a metric (in its own direction: loss lowest first), `-KEY`/`KEY:desc` highest "
        "first, `+KEY`/`KEY:asc` lowest first; `params.NAME`; started, ended, duration, status",
        "--sort",
        metavar="KEY",
    )
    asc: bool = front_option(False, "with --sort: lowest first", "--asc")
    limit: int | None = front_option(
        None,
        "show at most N runs (default: all; in a notebook, the newest 20)",
        "-n",
        "--limit",
        metavar="N",
        minimum=1,
    )
    deleted: bool = front_option(False, "list the soft-deleted runs", "--deleted")


@dataclass(frozen=True)
class PlotsOptions:
    """``nbvc plots show``."""

    refs: tuple[str, ...] = front_option(
        (),
        "run ids, `workspace`, git revisions (default: the latest run)",
        metavar="REF",
    )
    out: str | None = front_option(
        None,
        f"where to write the page (default: {PLOTS_PAGE})",
        "-o",
        "--out",
        metavar="FILE.html",
    )
    json: bool = front_option(False, "print the Vega-Lite specs instead", "--json")


@dataclass(frozen=True)
class PlotsDiffOptions(PlotsOptions):
    """``nbvc plots diff``: git revisions against each other."""

    refs: tuple[str, ...] = front_option(
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
