"""``%nbvc``: the list of nbvc's magics, each with the CLI verb it offers and the first line of
its help; ``%nbvc VERB ...`` runs any CLI verb."""

from __future__ import annotations

import inspect
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import magics_class

from nbvc import __version__
from nbvc.core import VERBS
from nbvc.kernel.arguments import line_magic, split
from nbvc.kernel.display import Rich, Table
from nbvc.kernel.exp_magics import ExpMagics
from nbvc.kernel.magics import NbvcMagics, VersionMagics
from nbvc.kernel.remote_magics import RemoteMagics
from nbvc.kernel.run_magics import RunMagics
from nbvc.kernel.verb_line import run_verb
from nbvc.kernel.verb_magics import VerbMagics

TOPIC_MAGIC_CLASSES: tuple[type[NbvcMagics], ...] = (
    VersionMagics,
    RunMagics,
    RemoteMagics,
    ExpMagics,
    VerbMagics,
)


def magic_summaries() -> list[tuple[str, str]]:
    """``(%name, first line of its docstring)`` of every nbvc magic but ``%nbvc``."""
    found: list[tuple[str, str]] = []
    for cls in TOPIC_MAGIC_CLASSES:
        magics: dict[str, dict[str, str]] = getattr(cls, "magics")  # noqa: B009 - set by IPython
        for name, method in magics["line"].items():
            found.append((f"%{name}", _summary(inspect.getdoc(getattr(cls, method)) or "")))
    return sorted(found)


def _summary(doc: str) -> str:
    """The first sentence line of a magic's help: IPython's ``magic_arguments`` puts a usage
    block (``::`` and ``%name [-x] ...``) before the docstring's own text."""
    lines = doc.splitlines()
    if lines and lines[0].strip() == "::":
        body = lines[1:]
        start = next((i for i, ln in enumerate(body) if ln.strip()), len(body))
        end = next((i for i in range(start, len(body)) if not body[i].strip()), len(body))
        lines = body[end:]  # after the usage paragraph
    return next((ln.strip() for ln in lines if ln.strip()), "")


@magics_class
class HelpMagics(NbvcMagics):
    @line_magic
    def nbvc(self, line: str) -> Any:
        """List nbvc's magics (`%nbvc --help`); `%nbvc VERB ...` runs any CLI verb here."""
        verb, _, rest = line.strip().partition(" ")
        if verb in VERBS:  # a hand-written magic where there is one (it records lineage)
            if VERBS[verb].rich and self.shell is not None:
                return self.shell.run_line_magic(VERBS[verb].magic, rest)
            return run_verb(self.tracer, verb, split(rest))
        if verb not in ("", "-h", "--help", "help"):
            raise UsageError(
                f"%nbvc takes no {verb!r}; `%nbvc --help` lists the magics, and "
                f"`%nbvc VERB ...` runs a CLI verb ({', '.join(VERBS)})"
            )
        offers = {v.magic: name for name, v in VERBS.items()}
        rows: list[list[Any]] = [
            [name, offers.get(name.removeprefix("%"), ""), summary]
            for name, summary in magic_summaries()
        ]
        return Rich(
            f"nbvc {__version__} magics",
            [Table(["magic", "CLI verb", "what it does"], rows)],
            notes=[
                "`%MAGIC?` shows a magic's options; `%nbvc VERB ...` runs any `nbvc` verb "
                "(`%nbvc exp cancel`); `nbvc --help` lists the CLI verbs."
            ],
        )
