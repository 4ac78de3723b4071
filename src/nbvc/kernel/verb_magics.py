"""The magics generated from the verb table (:data:`nbvc.core.VERBS`): one per CLI verb that has
no hand-written magic (``%version_gc``, ``%version_tag``, ``%metrics``, ...), and ``%nbvc VERB``
for every verb.

Each runs the CLI verb itself, ``python -m nbvc VERB ...`` in the notebook's folder
(:func:`nbvc.kernel.verb_line.run_verb`), so its options, output and errors are the command
line's by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from IPython.core.magic import magics_class

from nbvc.core import VERBS
from nbvc.kernel.arguments import line_magic, split
from nbvc.kernel.display import Preformatted
from nbvc.kernel.magics import NbvcMagics
from nbvc.kernel.verb_line import run_verb


def _magic_for(verb: str) -> Callable[[Any, str], Preformatted]:
    def magic(self: NbvcMagics, line: str) -> Preformatted:
        return run_verb(self.tracer, verb, split(line))

    spec = VERBS[verb]
    magic.__name__ = magic.__qualname__ = spec.magic
    magic.__doc__ = (
        f"{spec.summary}\n\nRuns `nbvc {verb}` with the same options and output; "
        f"`%{spec.magic} --help` lists them."
    )
    return line_magic(magic)


def _generated() -> type[NbvcMagics]:
    methods = {v.magic: _magic_for(name) for name, v in VERBS.items() if not v.rich}
    cls = type("VerbMagics", (NbvcMagics,), {"__doc__": __doc__, **methods})
    generated: type[NbvcMagics] = magics_class(cls)
    return generated


VerbMagics = _generated()
