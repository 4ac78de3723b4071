"""The magics generated from the verb table (:data:`nbvc.core.VERBS`): one per CLI verb that has
no hand-written magic (``%version_gc``, ``%version_tag``, ``%metrics``, ...), and ``%nbvc VERB``
for every verb.

Each runs the CLI verb itself, ``python -m nbvc VERB ...`` in the notebook's folder, so its
options, output and errors are the command line's by construction. The cells' lineage is
written first (a push or a gc sees it) and the tracer is paused, so the verb's own reads and
writes are not taken for the cell's. Interrupting the cell stops the command.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import magics_class
from IPython.display import display

from nbvc.core import VERBS
from nbvc.kernel.arguments import line_magic
from nbvc.kernel.display import Preformatted
from nbvc.kernel.magics import NbvcMagics

EXIT_USAGE = 2  # the CLI's exit code for a usage error (docs/errors.md)


def run_verb(magics: NbvcMagics, verb: str, line: str) -> Preformatted:
    """Run ``nbvc VERB LINE`` as the command line does; its output, or a one-line UsageError."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"cannot read the arguments ({exc}): {line}") from None
    magics.tracer.flush()
    with magics.tracer.paused():
        done = subprocess.run(
            [sys.executable, "-m", "nbvc", verb, *words],
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
            cwd=os.getcwd(),
            env={**os.environ, "COLUMNS": "120"},
        )
    magic = VERBS[verb].magic if verb in VERBS else "nbvc"
    shown = Preformatted(f"nbvc {verb} {line.strip()}".rstrip(), done.stdout.rstrip("\n"))
    errors = [ln for ln in done.stderr.splitlines() if ln.strip()]
    if done.returncode == 0:
        for note in errors:  # warnings: the CLI writes them to stderr
            print(note, file=sys.stderr)
        return shown
    if done.stdout.strip():
        display(shown)  # type: ignore[no-untyped-call]
    failure = next((ln for ln in reversed(errors) if ln.startswith("nbvc: error: ")), None)
    if failure is not None:  # the help the message points to is the magic's here
        message = failure.removeprefix("nbvc: error: ")
        raise UsageError(message.replace(f"`nbvc {verb} --help`", f"`%{magic} --help`"))
    if done.returncode == EXIT_USAGE:  # e.g. --help, or a usage message argparse printed
        print(done.stderr, file=sys.stderr)
        raise UsageError(f"`%{magic} --help` shows the options")
    raise UsageError(errors[-1] if errors else f"nbvc {verb} exited with {done.returncode}")


def _magic_for(verb: str) -> Callable[[Any, str], Preformatted]:
    def magic(self: NbvcMagics, line: str) -> Preformatted:
        return run_verb(self, verb, line)

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
