"""The version and lineage magics: ``%version_add``, ``%version_status``, ``%version_log``,
``%version_checkout`` and ``%lineage``, each with the options of its CLI verb.

Each returns a rich result (HTML, Markdown and text). An nbvc error is shown as one short
``UsageError`` line, never a traceback. The tracer is paused while a magic works so that nbvc's
own reads and writes are not taken for the cell's.
"""

from __future__ import annotations

import argparse
import functools
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from IPython.core.error import UsageError
from IPython.core.magic import Magics, magics_class
from IPython.display import display

from nbvc.core import (
    AddOptions,
    CheckoutOptions,
    LineageOptions,
    LogOptions,
    NbvcError,
    Repo,
    StatusOptions,
    Version,
    system_message,
)
from nbvc.kernel import views
from nbvc.kernel.arguments import line_magic, options_of
from nbvc.kernel.display import Preformatted, Rich
from nbvc.kernel.tracer import CellTracer
from nbvc.kernel.verb_line import verb_magic

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Show an :class:`NbvcError` (or a refusal of the system) as a one-line ``UsageError``
    instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NbvcError as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:  # a full disk, a read-only repo
            raise UsageError(system_message(exc)) from None
        except sqlite3.Error as exc:
            raise UsageError(f"the index .nbvc/index.db failed ({exc}); try again") from None

    return wrapper  # type: ignore[return-value]


class NbvcMagics(Magics):
    """Shared by the nbvc magics classes: the tracer and the repo of the working folder."""

    def __init__(self, shell: Any, tracer: CellTracer) -> None:
        super().__init__(shell)
        self.tracer = tracer

    def repo(self) -> Repo:
        """The repo of the working folder, its config as it is now (the kernel keeps the repo
        open while `%nbvc remote add` or a terminal may change the config)."""
        repo = self.tracer.repo()
        if repo is None:
            return Repo.find()  # raises, saying to run `nbvc init`
        repo.reload_config()
        return repo


@magics_class
class VersionMagics(NbvcMagics):
    """Each takes the options of its CLI verb (:mod:`nbvc.kernel.verb_line`); ``--json`` runs
    the CLI verb itself."""

    @line_magic
    @verb_magic("add", AddOptions)
    @friendly_errors
    def version_add(self, args: argparse.Namespace) -> Rich:
        """Snapshot files or folders into the nbvc cache as new versions.

        The version records which cell produced it (the cell that last wrote the file in this
        session, or this cell), so `%lineage PATH` can trace it back.
        """
        add = options_of(AddOptions, args)
        repo = self.repo()
        by_producer: dict[str | None, list[str]] = {}
        for path in add.paths:
            by_producer.setdefault(self.tracer.producer_for(repo.artifact(path)), []).append(path)
        results = []
        with self.tracer.paused():
            for producer, paths in by_producer.items():
                results += repo.add(paths, add.message, add.tags, producer=producer)
        return views.added(results, self._made_by(repo, [r.version for r in results]))

    @line_magic
    @verb_magic("status", StatusOptions, cli_shows=["json"])
    @friendly_errors
    def version_status(self, args: argparse.Namespace) -> Rich:
        """Show which tracked artifacts changed in the workspace (`--remote`: what is missing
        here and on a remote)."""
        status = options_of(StatusOptions, args)
        repo = self.repo()
        with self.tracer.paused():
            if status.remote is not None:
                remote = repo.remote.status(list(status.paths), status.remote or None)
                view, problems = views.remote_status(remote), views.out_of_sync(remote)
            else:
                found = repo.status(list(status.paths))
                view, problems = views.statuses(found), views.changed(found)
        if status.exit_code and problems:  # as the CLI's exit code 1: the cell fails
            display(view)  # type: ignore[no-untyped-call]
            raise UsageError(problems)
        return view

    @line_magic
    @verb_magic("log", LogOptions, cli_shows=["json"])
    @friendly_errors
    def version_log(self, args: argparse.Namespace) -> Rich:
        """List an artifact's versions, newest first."""
        path = options_of(LogOptions, args).path
        repo = self.repo()
        versions = repo.log(path)
        return views.log(repo.artifact(path), versions, self._made_by(repo, versions))

    def _made_by(self, repo: Repo, versions: Sequence[Version]) -> dict[str | None, str | None]:
        """What produced each version, as people read it: ``train.ipynb, cell [5]``."""
        self.tracer.flush()  # this session's cells are in the index
        with self.tracer.paused():
            return {v.producer: repo.lineage.producer_label(v.producer) for v in versions}

    @line_magic
    @verb_magic("checkout", CheckoutOptions)
    @friendly_errors
    def version_checkout(self, args: argparse.Namespace) -> Rich:
        """Restore versions of artifacts into the workspace, or what a run used and made."""
        from nbvc.kernel.exp_views import applied

        checkout = options_of(CheckoutOptions, args).checked()
        repo = self.repo()
        with self.tracer.paused():
            if checkout.run is not None:
                return applied(repo.experiments.apply(checkout.run, checkout.force))
            done = [repo.checkout(spec, force=checkout.force) for spec in checkout.specs]
        return views.checked_out(done)

    @line_magic
    @verb_magic("lineage", LineageOptions)
    @friendly_errors
    def lineage(self, args: argparse.Namespace) -> Preformatted:
        """Show what produced an artifact version: cells or stages, and the inputs they read."""
        from nbvc.core import render_lineage

        shown = options_of(LineageOptions, args)
        repo = self.repo()
        self.tracer.flush()
        with self.tracer.paused():
            if shown.script:
                return views.script(repo.lineage.script(shown.spec))
            root = repo.lineage.of(shown.spec)
        for form in ("json", "dot", "mermaid"):
            if getattr(shown, form):
                return Preformatted("", render_lineage(root, form), form)
        return views.lineage(root)
