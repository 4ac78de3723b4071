"""nbvc inside Jupyter: magics, the cell lineage tracer, rich displays and widgets.

``%load_ext nbvc`` (or ``c.InteractiveShellApp.extensions = ["nbvc"]``) loads it. Modules here may
import IPython; ``nbvc.core`` never does.
"""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    from nbvc.kernel import extension

    extension.load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from nbvc.kernel import extension

    extension.unload(ipython)
