"""The version and lineage magics: ``%version_add``, ``%version_status``, ``%version_log``,
``%version_checkout`` and ``%lineage``.

Each returns a rich result (HTML, Markdown and text). An nbvc error is shown as one short
``UsageError`` line, never a traceback. The tracer is paused while a magic works so that nbvc's
own reads and writes are not taken for the cell's.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from IPython.core.error import UsageError
from IPython.core.magic import Magics, magics_class

from nbvc.core import AddOptions, NbvcError, Repo, Version, system_message
from nbvc.kernel import views
from nbvc.kernel.arguments import (
    argument,
    line_magic,
    magic_arguments,
    options,
    options_of,
    parse_argstring,
)
from nbvc.kernel.display import Preformatted, Rich
from nbvc.kernel.tracer import CellTracer

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
        repo = self.tracer.repo()
        return repo if repo is not None else Repo.find()  # raises, saying to run `nbvc init`


@magics_class
class VersionMagics(NbvcMagics):
    @line_magic
    @magic_arguments()
    @options(AddOptions)
    @friendly_errors
    def version_add(self, line: str) -> Rich:
        """Snapshot files or folders into the nbvc cache as new versions.

        The version records which cell produced it (the cell that last wrote the file in this
        session, or this cell), so `%lineage PATH` can trace it back.
        """
        add = options_of(AddOptions, parse_argstring(self.version_add, line))
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
    @magic_arguments()
    @argument("paths", nargs="*", metavar="PATH", help="artifacts to check (default: all)")
    @friendly_errors
    def version_status(self, line: str) -> Rich:
        """Show which tracked artifacts changed in the workspace."""
        args = parse_argstring(self.version_status, line)
        repo = self.repo()
        with self.tracer.paused():
            return views.statuses(repo.status(args.paths))

    @line_magic
    @magic_arguments()
    @argument("path", metavar="PATH")
    @friendly_errors
    def version_log(self, line: str) -> Rich:
        """List an artifact's versions, newest first."""
        args = parse_argstring(self.version_log, line)
        repo = self.repo()
        versions = repo.log(args.path)
        return views.log(repo.artifact(args.path), versions, self._made_by(repo, versions))

    def _made_by(self, repo: Repo, versions: Sequence[Version]) -> dict[str | None, str | None]:
        """What produced each version, as people read it: ``train.ipynb, cell [5]``."""
        self.tracer.flush()  # this session's cells are in the index
        with self.tracer.paused():
            return {v.producer: repo.lineage.producer_label(v.producer) for v in versions}

    @line_magic
    @magic_arguments()
    @argument("spec", metavar="PATH[@REF]", help="REF is vN, a tag or a git revision")
    @argument("-f", "--force", action="store_true", help="discard changes not saved in nbvc")
    @friendly_errors
    def version_checkout(self, line: str) -> Rich:
        """Restore a version of an artifact into the workspace."""
        args = parse_argstring(self.version_checkout, line)
        repo = self.repo()
        with self.tracer.paused():
            return views.checked_out(repo.checkout(args.spec, force=args.force))

    @line_magic
    @magic_arguments()
    @argument("spec", metavar="PATH[@REF]", help="an artifact version, or any file cells wrote")
    @argument("--script", action="store_true", help="the code that produced it, as a script")
    @argument("--json", action="store_true", help="the lineage tree as JSON")
    @argument("--dot", action="store_true", help="the lineage graph in Graphviz DOT")
    @argument("--mermaid", action="store_true", help="the lineage graph as a Mermaid flowchart")
    @friendly_errors
    def lineage(self, line: str) -> Preformatted:
        """Show what produced an artifact version: cells or stages, and the inputs they read."""
        from nbvc.core import render_lineage

        args = parse_argstring(self.lineage, line)
        repo = self.repo()
        self.tracer.flush()
        with self.tracer.paused():
            if args.script:
                return views.script(repo.lineage.script(args.spec))
            root = repo.lineage.of(args.spec)
        for form in ("json", "dot", "mermaid"):
            if getattr(args, form):
                return Preformatted("", render_lineage(root, form), form)
        return views.lineage(root)
