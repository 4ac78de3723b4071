"""The pipeline and run magics: ``%repro``, ``%runs``, ``%plots``, ``%metrics_diff`` and
``%params_diff``."""

from __future__ import annotations

import argparse
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import magics_class
from IPython.display import display

from nbvc.core import PlotsOptions, ReproOptions, RunsOptions, plots_diff_refs
from nbvc.kernel.arguments import (
    argument,
    line_magic,
    magic_arguments,
    options_of,
    parse_argstring,
)
from nbvc.kernel.display import Rich
from nbvc.kernel.magics import NbvcMagics, friendly_errors
from nbvc.kernel.verb_line import verb_magic

# The pipeline and runs modules are imported when a magic runs, so %load_ext stays fast.

NOTEBOOK_RUNS = 20  # %runs lists the newest 20 unless -n says otherwise

REFS_HELP = (
    "a run id (or its short id), `current` (this kernel's run), `workspace` or a git revision"
)


@magics_class
class RunMagics(NbvcMagics):
    @line_magic
    @verb_magic("repro", ReproOptions, cli_shows=["json"])
    @friendly_errors
    def repro(self, args: argparse.Namespace) -> Rich | None:
        """Bring pipeline outputs up to date: run the stages whose inputs changed, as one run.

        Versions of the outputs record the stage and run that produced them.
        """
        from nbvc.core import STAGE_FAILED, ConsoleListener
        from nbvc.kernel import run_views

        repro = options_of(ReproOptions, args)
        repo = self.repo()
        with self.tracer.paused():
            # the summary table below says what each stage did, so no decision lines here
            result = repo.pipeline.repro(repro, ConsoleListener(args.quiet, decisions=False))
        table = run_views.repro_table(result)
        failed = [o for o in result.outcomes if o.status == STAGE_FAILED]
        if failed:
            display(table)  # type: ignore[no-untyped-call]
            raise UsageError(f"stage {failed[0].stage} failed: {failed[0].error}")
        return table

    @line_magic
    @verb_magic("runs", RunsOptions, cli_shows=["json"])
    @argument("--plot", nargs="*", metavar="METRIC", help="chart the metric series instead")
    @argument("--widget", action="store_true", help="an interactive comparison widget")
    @friendly_errors
    def runs(self, args: argparse.Namespace) -> Any:
        """List runs with their params and metrics; metric changes coloured by direction.

        `%runs show RUN` and the other subcommands of `nbvc runs` run that verb."""
        from nbvc.kernel import run_views
        from nbvc.kernel.plots import metric_chart
        from nbvc.kernel.run_data import load_runs

        listed = options_of(RunsOptions, args)
        limit = NOTEBOOK_RUNS if listed.limit is None else listed.limit
        repo = self.repo()
        if args.widget:
            from nbvc.kernel.widgets import CompareWidget

            return CompareWidget(load_runs(repo, limit), repo.config.raw)
        if listed.filter or listed.deleted:
            sort = f"+{listed.sort}" if listed.sort and listed.asc else listed.sort
            found = repo.runs.search(listed.filter, sort, limit, listed.deleted)
            records = [repo.runs.get(summary["id"]) for summary in found]
        else:
            records = load_runs(repo, limit, listed.sort, listed.asc)
        if args.plot is not None:
            chart = metric_chart(records, args.plot)
            if chart is None:
                raise UsageError("no run logged a metric series; log with nbvc.log_metric")
            return chart
        return run_views.runs_table(records, repo.config.raw)

    @line_magic
    @magic_arguments()
    @argument("--disable", action="store_true", help="turn autologging off again")
    @argument("--no-models", action="store_true", help="do not log fitted models")
    @friendly_errors
    def nbvc_autolog(self, line: str) -> str:
        """Log every scikit-learn ``fit`` to this notebook's run: params, training metrics and
        the fitted model (``nbvc.autolog()``)."""
        from nbvc.core import autolog

        args = parse_argstring(self.nbvc_autolog, line)
        libraries = autolog(disable=args.disable, log_models=not args.no_models)
        if args.disable:
            return "nbvc autolog: off"
        return f"nbvc autolog: on for {', '.join(libraries) or 'no installed library'}"

    @line_magic
    @verb_magic("plots", PlotsOptions, cli_shows=["out", "json"], subcommand="show")
    @friendly_errors
    def plots(self, args: argparse.Namespace) -> Any:
        """Draw the pipeline's plots (DVC templates, custom templates, images) and the metric
        curves of runs, one chart below the other.

        `%plots diff [REV...]` draws git revisions against each other; `-o FILE.html` writes
        the page and `--json` prints the specs, as `nbvc plots show` does."""
        from nbvc.kernel.plots import stacked

        refs = plots_diff_refs(args.refs) if args.subcommand == "diff" else list(args.refs)
        specs = self.repo().metrics.plots(refs)
        if not specs:
            raise UsageError("nothing to plot: no metric series and no plots in the pipeline")
        return stacked(specs)

    @line_magic
    @magic_arguments()
    @argument("a", nargs="?", metavar="A", help=f"old side (default: the last run); {REFS_HELP}")
    @argument("b", nargs="?", metavar="B", help="new side (default: the workspace)")
    @argument("--all", action="store_true", help="unchanged metrics too")
    @friendly_errors
    def metrics_diff(self, line: str) -> Rich:
        """Compare metrics of two runs, the workspace or git revisions."""
        return self._diff(parse_argstring(self.metrics_diff, line), "metrics")

    @line_magic
    @magic_arguments()
    @argument("a", nargs="?", metavar="A", help=f"old side (default: the last run); {REFS_HELP}")
    @argument("b", nargs="?", metavar="B", help="new side (default: the workspace)")
    @argument("--all", action="store_true", help="unchanged params too")
    @friendly_errors
    def params_diff(self, line: str) -> Rich:
        """Compare params of two runs, the workspace or git revisions."""
        return self._diff(parse_argstring(self.params_diff, line), "params")

    def _diff(self, args: Any, what: str) -> Rich:
        from nbvc.kernel import run_views
        from nbvc.kernel.run_data import kernel_ref

        repo = self.repo()
        compared = repo.metrics.diff(what, kernel_ref(args.a), kernel_ref(args.b), args.all)
        old, new = compared.old.label, compared.new.label
        return run_views.diff_table(compared.rows, old, new, what, repo.config.raw)
