"""Turning what a user typed into a repo-relative artifact name, refusing escapes."""

from __future__ import annotations

import os
from collections.abc import Iterator

from nbvc.core.artifacts.pointer import SUFFIX
from nbvc.core.errors import PathError
from nbvc.core.storage.fsutil import is_within

RESERVED = (".nbvc", ".git")


def to_artifact(root: str, user_path: str, cwd: str | None = None) -> str:
    """The POSIX path of ``user_path`` relative to the repo ``root``.

    Accepts a pointer file name (``data.nbvc`` means ``data``). Refuses paths that leave the repo
    lexically (``..``) or through a symlinked parent folder, and nbvc's or git's own folders.
    """
    if not user_path or "\x00" in user_path:
        raise PathError("empty or invalid path")
    absolute = os.path.normpath(os.path.join(cwd or os.getcwd(), user_path))
    if absolute.endswith(SUFFIX) and not os.path.isdir(absolute):
        absolute = absolute[: -len(SUFFIX)]
    if not is_within(absolute, root) or absolute == root:
        raise PathError(
            f"{user_path} is outside the nbvc repo at {root}; nbvc tracks only paths inside it"
        )
    parent = os.path.realpath(os.path.dirname(absolute))
    if not is_within(parent, root):
        raise PathError(
            f"{user_path} lies under a symlink that leads out of the repo ({parent}); "
            "nbvc tracks only paths inside the repo"
        )
    relative = os.path.relpath(absolute, root)
    if not relative.isascii():
        try:
            relative.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes: the index, records and .gitignore need text
            raise PathError(
                f"{user_path!r} is not a valid UTF-8 name, so nbvc cannot track it on its own; "
                "rename it, or add the folder that holds it"
            ) from None
    first = relative.split(os.sep, 1)[0]
    if first in RESERVED:
        raise PathError(f"{user_path} is inside {first}/, which nbvc cannot track")
    return relative.replace(os.sep, "/")


def parents(artifact: str) -> Iterator[str]:
    """``a/b/c`` -> ``a/b``, ``a``."""
    parent = os.path.dirname(artifact)
    while parent:
        yield parent
        parent = os.path.dirname(parent)
