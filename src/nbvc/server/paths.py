"""Request paths: relative to a root (the server's, or a repo's), refused when they escape it.

A path escapes when it is absolute, when ``..`` leads above the root, or when a symlink on the
way resolves outside the root. Refusals are :class:`~nbvc.server.errors.ApiError` answers.
"""

from __future__ import annotations

import os

from nbvc.core import Repo, find_root, is_within
from nbvc.server.errors import BAD_REQUEST, FORBIDDEN, NOT_FOUND, ApiError

MAX_PATH = 4096


def resolve(root: str, relative: str, must_exist: bool = False) -> str:
    """The absolute path of ``relative`` under ``root`` (a real path), checked not to escape.

    The lexical path is returned (a symlink that stays inside the root keeps its own name), but
    it is checked both lexically and with every symlink resolved.
    """
    if "\x00" in relative or len(relative) > MAX_PATH:
        raise ApiError(BAD_REQUEST, f"invalid path {relative[:80]!r}")
    if os.path.isabs(relative):
        raise ApiError(BAD_REQUEST, f"{relative} is absolute; give a path relative to the root")
    joined = os.path.normpath(os.path.join(root, relative))
    if not is_within(joined, root):
        raise ApiError(FORBIDDEN, f"{relative} leads outside the root; it is not served")
    real = os.path.realpath(joined)
    if not is_within(real, root):
        raise ApiError(FORBIDDEN, f"{relative} resolves (through a symlink) outside the root")
    if must_exist and not os.path.exists(real):
        raise ApiError(NOT_FOUND, f"{relative} does not exist")
    return joined


def relative_to(root: str, path: str) -> str:
    """``path`` as the client names it: POSIX, relative to ``root``, ``""`` for the root."""
    relative = os.path.relpath(path, root)
    return "" if relative == "." else relative.replace(os.sep, "/")


def open_repo(server_root: str, location: str) -> Repo:
    """The repo holding ``location`` (relative to the server root), if it lies under the root.

    A repo above the server root is not the server's to operate on, so it counts as none.
    """
    start = resolve(server_root, location, must_exist=True)
    root = find_root(start)
    if root is None or not is_within(root, server_root):
        from nbvc.core import NotARepoError

        shown = location or "the server root"
        raise NotARepoError(
            f"{shown} is not inside an nbvc repo; run `nbvc init` in the folder to version"
        )
    return Repo.open(root)


def artifact_path(repo: Repo, artifact: str) -> str:
    """The absolute path of an artifact named relative to the repo root (need not exist)."""
    if not artifact:
        raise ApiError(BAD_REQUEST, "name an artifact (a path relative to the repo root)")
    return resolve(repo.root, artifact)
