"""``%nbvc``: the list of nbvc's magics, each with the first line of its help."""

from __future__ import annotations

import inspect
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import magics_class

from nbvc import __version__
from nbvc.kernel.arguments import line_magic
from nbvc.kernel.display import Rich, Table
from nbvc.kernel.exp_magics import ExpMagics
from nbvc.kernel.magics import NbvcMagics, VersionMagics
from nbvc.kernel.remote_magics import RemoteMagics
from nbvc.kernel.run_magics import RunMagics

TOPIC_MAGIC_CLASSES: tuple[type[NbvcMagics], ...] = (
    VersionMagics,
    RunMagics,
    RemoteMagics,
    ExpMagics,
)


def magic_summaries() -> list[tuple[str, str]]:
    """``(%name, first line of its docstring)`` of every nbvc magic but ``%nbvc``."""
    found: list[tuple[str, str]] = []
    for cls in TOPIC_MAGIC_CLASSES:
        magics: dict[str, dict[str, str]] = getattr(cls, "magics")  # noqa: B009 - set by IPython
        for name, method in magics["line"].items():
            doc = inspect.getdoc(getattr(cls, method)) or ""
            found.append((f"%{name}", doc.strip().splitlines()[0] if doc.strip() else ""))
    return sorted(found)


@magics_class
class HelpMagics(NbvcMagics):
    @line_magic
    def nbvc(self, line: str) -> Rich:
        """List nbvc's magics (`%nbvc --help`); `%MAGIC?` shows one magic's options."""
        if line.strip() not in ("", "-h", "--help", "help"):
            raise UsageError(f"%nbvc takes no {line.strip()!r}; `%nbvc --help` lists the magics")
        rows: list[list[Any]] = [[name, summary] for name, summary in magic_summaries()]
        return Rich(
            f"nbvc {__version__} magics",
            [Table(["magic", "what it does"], rows)],
            notes=["`%MAGIC?` shows a magic's options; `nbvc --help` lists the CLI verbs."],
        )
