"""The pipeline and run magics: ``%repro``, ``%runs``, ``%plots``, ``%metrics_diff`` and
``%params_diff``."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import magics_class
from IPython.display import display

from nbvc.core import ReproOptions
from nbvc.kernel.arguments import (
    argument,
    line_magic,
    magic_arguments,
    options,
    options_of,
    parse_argstring,
)
from nbvc.kernel.display import Rich
from nbvc.kernel.magics import NbvcMagics, friendly_errors

# The pipeline and runs modules are imported when a magic runs, so %load_ext stays fast.

REFS_HELP = (
    "a run id (or its short id), `current` (this kernel's run), `workspace` or a git revision"
)


@magics_class
class RunMagics(NbvcMagics):
    @line_magic
    @magic_arguments()
    @options(ReproOptions)
    @friendly_errors
    def repro(self, line: str) -> Rich | None:
        """Bring pipeline outputs up to date: run the stages whose inputs changed, as one run.

        Versions of the outputs record the stage and run that produced them.
        """
        from nbvc.core import STAGE_FAILED, ConsoleListener
        from nbvc.kernel import run_views

        repro = options_of(ReproOptions, parse_argstring(self.repro, line))
        repo = self.repo()
        with self.tracer.paused():
            # the summary table below says what each stage did, so no decision lines here
            result = repo.pipeline.repro(repro, ConsoleListener(decisions=False))
        table = run_views.repro_table(result)
        failed = [o for o in result.outcomes if o.status == STAGE_FAILED]
        if failed:
            display(table)  # type: ignore[no-untyped-call]
            raise UsageError(f"stage {failed[0].stage} failed: {failed[0].error}")
        return table

    @line_magic
    @magic_arguments()
    @argument("-n", "--limit", type=int, default=20, metavar="N", help="at most N runs (20)")
    @argument("--sort", metavar="METRIC", help="order by a metric (`file:name` if ambiguous)")
    @argument("--asc", action="store_true", help="with --sort: lowest first")
    @argument(
        "--filter",
        nargs="+",
        metavar="EXPR",
        help="MLflow search syntax: metrics.acc > 0.9 and params.model = 'rf'",
    )
    @argument("--plot", nargs="*", metavar="METRIC", help="chart the metric series instead")
    @argument("--widget", action="store_true", help="an interactive comparison widget")
    @friendly_errors
    def runs(self, line: str) -> Any:
        """List runs with their params and metrics; metric changes coloured by direction."""
        from nbvc.kernel import run_views
        from nbvc.kernel.plots import metric_chart
        from nbvc.kernel.run_data import load_runs

        args = parse_argstring(self.runs, line)
        repo = self.repo()
        if args.widget:
            from nbvc.kernel.widgets import CompareWidget

            return CompareWidget(load_runs(repo, args.limit), repo.config.raw)
        if args.filter:
            sort = f"+{args.sort}" if args.sort and args.asc else args.sort
            found = repo.runs.search(" ".join(args.filter), sort, args.limit)
            records = [repo.runs.get(summary["id"]) for summary in found]
        else:
            records = load_runs(repo, args.limit, args.sort, args.asc)
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
    @magic_arguments()
    @argument(
        "refs",
        nargs="*",
        metavar="REF",
        help="run ids, `workspace` or git revisions (default: the latest run)",
    )
    @friendly_errors
    def plots(self, line: str) -> Any:
        """Draw the pipeline's plots (DVC templates, custom templates, images) and the metric
        curves of runs, one chart below the other."""
        from nbvc.kernel.plots import stacked

        args = parse_argstring(self.plots, line)
        specs = self.repo().metrics.plots(args.refs)
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
