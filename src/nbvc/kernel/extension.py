"""``%load_ext nbvc``: register the magics and the cell tracer on an IPython shell."""

from __future__ import annotations

import atexit
import sys
from typing import Any

from nbvc.core import new_id
from nbvc.kernel import audit
from nbvc.kernel.help_magics import TOPIC_MAGIC_CLASSES, HelpMagics
from nbvc.kernel.magics import NbvcMagics
from nbvc.kernel.tracer import CellTracer

_MAGIC_CLASSES: tuple[type[NbvcMagics], ...] = (*TOPIC_MAGIC_CLASSES, HelpMagics)


# One kernel session per process: the user's namespace outlives an unload and a reload of the
# extension, and so do the names its cells bound. Cells up to this execution count of this
# IPython history session (`%reset` starts another) were seen.
_session: str | None = None
_seen: tuple[object, int] = (None, 0)


class NbvcExtension:
    """nbvc inside one IPython shell (one kernel session)."""

    def __init__(self, shell: Any) -> None:
        global _session  # noqa: PLW0603 - see above
        self.shell = shell
        self.session = _session = _session or new_id()
        self.tracer = CellTracer(self.session)
        self._magics: list[Any] = []

    def load(self) -> None:
        audit.install()
        self.tracer.loaded(_history(self.shell))
        self.shell.events.register("pre_run_cell", self.tracer.pre_run_cell)
        self.shell.events.register("post_run_cell", self.tracer.post_run_cell)
        for magics_class in _MAGIC_CLASSES:
            magics = magics_class(self.shell, self.tracer)
            self.shell.register_magics(magics)
            self._magics.append(magics)
        atexit.register(self.tracer.close)

    def unload(self) -> None:
        global _seen  # noqa: PLW0603
        _seen = (_history_session(self.shell), len(_inputs(self.shell)) - 1)
        self.shell.events.unregister("pre_run_cell", self.tracer.pre_run_cell)
        self.shell.events.unregister("post_run_cell", self.tracer.post_run_cell)
        registered = self.shell.magics_manager.magics
        for magics in self._magics:
            for kind, names in magics.magics.items():
                for name in names:
                    registered[kind].pop(name, None)
        self._magics.clear()
        atexit.unregister(self.tracer.close)
        self.tracer.close()
        runlog = sys.modules.get("nbvc.core.runs.logging")
        if runlog is not None:
            runlog.set_run_context("python")  # runs started from now on are no notebook's


def _inputs(shell: Any) -> list[str]:
    """The source of every cell this kernel ran, stored under its execution count (0 unused);
    a running cell is stored before it runs."""
    manager = getattr(shell, "history_manager", None)
    return list(getattr(manager, "input_hist_raw", [""]))


def _history_session(shell: Any) -> object:
    return getattr(getattr(shell, "history_manager", None), "session_number", None)


def _history(shell: Any) -> list[tuple[int, str]]:
    """The cells this kernel ran since nbvc last saw one (execution count, source), except the
    last: the cell running ``%load_ext nbvc``."""
    sources = _inputs(shell)
    session, count = _seen
    start = count + 1 if session == _history_session(shell) else 1
    return [(n, sources[n]) for n in range(start, len(sources) - 1)]


_current: NbvcExtension | None = None


def current() -> NbvcExtension | None:
    """The loaded extension, if ``%load_ext nbvc`` ran in this process."""
    return _current


def load(shell: Any) -> None:
    global _current  # noqa: PLW0603 - one extension per process, like the IPython shell
    if _current is not None:
        _current.unload()
    _current = NbvcExtension(shell)
    _current.load()


def unload(shell: Any) -> None:
    global _current  # noqa: PLW0603
    if _current is not None:
        _current.unload()
        _current = None
