"""The little nbvc needs from git: is this a work tree, and a file's content at a revision.

git is always run with an argument list, never through a shell.
"""

from __future__ import annotations

import shutil
import subprocess


def _git(cwd: str, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    if shutil.which("git") is None:
        return None
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)


def is_work_tree(path: str) -> bool:
    result = _git(path, "rev-parse", "--is-inside-work-tree")
    return result is not None and result.returncode == 0 and result.stdout.strip() == b"true"


def show(cwd: str, rev: str, relpath: str) -> bytes | None:
    """The content of ``relpath`` (relative to ``cwd``) at ``rev``; None if git can't tell."""
    if rev.startswith("-"):
        return None
    result = _git(cwd, "show", f"{rev}:./{relpath}")
    if result is None or result.returncode != 0:
        return None
    return result.stdout


def config_value(cwd: str, key: str) -> str | None:
    result = _git(cwd, "config", "--get", key)
    if result is None or result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "replace").strip() or None


def head(cwd: str) -> str | None:
    """The commit checked out in the git work tree at ``cwd``, or None outside git."""
    return rev_parse(cwd, "HEAD")


def rev_parse(cwd: str, rev: str) -> str | None:
    """The full commit id that ``rev`` names, or None if it names no commit."""
    if not rev or rev.startswith("-"):
        return None
    result = _git(cwd, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if result is None or result.returncode != 0:
        return None
    return result.stdout.decode("ascii", "replace").strip() or None
