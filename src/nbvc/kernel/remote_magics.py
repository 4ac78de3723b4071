"""``%version_push`` and ``%version_pull``: share artifacts, history, runs and lineage."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from IPython.core.error import UsageError
from IPython.core.magic import magics_class
from IPython.display import display

from nbvc.core import PullOptions, PushOptions, option_values, transfer_summary
from nbvc.kernel.arguments import line_magic, options_of
from nbvc.kernel.display import Cell, CellLike, Rich, Table
from nbvc.kernel.magics import NbvcMagics, friendly_errors
from nbvc.kernel.verb_line import verb_magic

if TYPE_CHECKING:  # fsspec and the remote modules load when a transfer starts
    from nbvc.core import PullResult, TransferResult


@magics_class
class RemoteMagics(NbvcMagics):
    @line_magic
    @verb_magic("push", PushOptions)
    @friendly_errors
    def version_push(self, args: argparse.Namespace) -> Rich:
        """Send tracked data and all records (history, runs, lineage) to a remote; only what
        the remote lacks is sent."""
        push = options_of(PushOptions, args)
        repo = self.repo()
        self.tracer.flush()  # lineage records of the cells so far travel too
        with self.tracer.paused():
            result = repo.push(**option_values(push))
        return _checked(_transfer_view(result), result)

    @line_magic
    @verb_magic("pull", PullOptions)
    @friendly_errors
    def version_pull(self, args: argparse.Namespace) -> Rich:
        """Fetch data and records from a remote, then check out what the pointer files say."""
        pull = options_of(PullOptions, args)
        repo = self.repo()
        with self.tracer.paused():
            result = repo.pull(**option_values(pull))
        view = _pull_view(result)
        if result.skipped:
            display(view)  # type: ignore[no-untyped-call]
            raise UsageError(
                f"{', '.join(result.skipped)} not checked out: its data is not on the remote"
            )
        return _checked(view, result.fetch)


def _transfer_view(result: TransferResult) -> Rich:
    note = transfer_summary(result)
    return Rich(f"nbvc {result.direction}", notes=[note])


def _pull_view(result: PullResult) -> Rich:
    view = _transfer_view(result.fetch)
    view.title = "nbvc pull"
    rows: list[list[CellLike]] = [
        [c.target.artifact, c.target.label, Cell("checked out", "good"), str(c.written)]
        for c in result.checkouts
        if c.changed
    ]
    rows += [[a, "-", Cell("data missing", "bad"), "0"] for a in result.skipped]
    if rows:
        view.tables.append(Table(["path", "version", "", "files written"], rows))
    return view


def _checked(view: Rich, result: TransferResult) -> Rich:
    """The view, unless something failed to move: then it is shown with a short error."""
    problems = result.problems()
    if not problems:
        return view
    display(view)  # type: ignore[no-untyped-call]
    raise UsageError("; ".join(problems))
