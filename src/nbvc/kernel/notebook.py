"""Which notebook this kernel runs, as jupyter-server tells it (``JPY_SESSION_NAME``).

jupyter-server sets ``JPY_SESSION_NAME`` to the notebook's absolute path when it starts a kernel
for a notebook session (older servers: the path relative to the server root, with the kernel's
working folder set to the notebook's folder). A bare kernel has neither: the notebook is unknown.
"""

from __future__ import annotations

import os

from nbvc.core import is_within

SESSION_ENV = "JPY_SESSION_NAME"


def notebook_path(root: str, cwd: str | None = None) -> str | None:
    """The notebook's path relative to the repo ``root`` (absolute if outside it), or None."""
    name = os.environ.get(SESSION_ENV)
    if not name:
        return None
    cwd = cwd or os.getcwd()
    if os.path.isabs(name):
        path = name
    else:
        candidates = [os.path.join(cwd, name), os.path.join(cwd, os.path.basename(name))]
        path = next((c for c in candidates if os.path.exists(c)), candidates[-1])
    path = os.path.normpath(path)
    real = os.path.realpath(path)
    if is_within(real, root) and real != root:
        return os.path.relpath(real, root).replace(os.sep, "/")
    return path
