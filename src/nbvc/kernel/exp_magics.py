"""The experiment magics: ``%exp_run`` (with a live widget), ``%exp_show`` and ``%exp_apply``."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import magics_class

from nbvc.core import ExpRunOptions
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


@magics_class
class ExpMagics(NbvcMagics):
    @line_magic
    @magic_arguments()
    @options(ExpRunOptions)
    @friendly_errors
    def exp_run(self, line: str) -> None:
        """Run a sweep (``-S lr=0.01,0.1 -S epochs=range(1,4)``), each point in a workspace of its
        own, inline or on Dask (``--workers N``, ``--scheduler tcp://...``); a widget shows the
        progress and fills in the table and the chart as results arrive."""
        from nbvc.kernel.exp_widget import SweepWidget

        options = options_of(ExpRunOptions, parse_argstring(self.exp_run, line))
        repo = self.repo()
        widget = SweepWidget(repo, options.metric)
        with self.tracer.paused():
            repo.experiments.run(options, widget)

    @line_magic
    @magic_arguments()
    @argument("sweep", nargs="?", metavar="SWEEP", help="id, short id or name (default: newest)")
    @argument("--sort", metavar="METRIC", help="best first by this metric")
    @argument("--chart", metavar="METRIC", nargs="?", const="", help="a chart instead")
    @friendly_errors
    def exp_show(self, line: str) -> Any:
        """A sweep as a table (params, metrics, status; the best of each metric marked)."""
        from nbvc.kernel.exp_views import sweep_chart, sweep_table

        args = parse_argstring(self.exp_show, line)
        found = self.repo().experiments.table(args.sweep, args.sort)
        if args.chart is not None:
            return sweep_chart(found, args.chart or None)
        return sweep_table(found)

    @line_magic
    @magic_arguments()
    @argument("run", metavar="RUN", help="run id, short id, experiment name, last~N")
    @argument("-f", "--force", action="store_true", help="overwrite unsaved changes")
    @friendly_errors
    def exp_apply(self, line: str) -> Rich:
        """Restore everything a run used and made: params values, deps and outs."""
        from nbvc.kernel.exp_views import applied

        args = parse_argstring(self.exp_apply, line)
        repo = self.repo()
        with self.tracer.paused():
            return applied(repo.experiments.apply(args.run, args.force))
