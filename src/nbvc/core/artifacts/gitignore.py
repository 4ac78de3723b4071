"""Keeping tracked data out of git: one `/name` line in the parent folder's `.gitignore`."""

from __future__ import annotations

import os

from nbvc.core.storage.fsutil import atomic_write_bytes, read_within


def escape(name: str) -> str:
    """A file name as a literal gitignore pattern (glob characters and edge spaces escaped).

    A gitignore pattern cannot hold a line break, so one in a name becomes ``?`` (any one
    character): the pattern still matches the name, on one line of its own.
    """
    escaped = "".join("?" if c in "\r\n" else "\\" + c if c in "\\*?[" else c for c in name)
    if escaped[:1] in ("#", "!"):
        escaped = "\\" + escaped
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return escaped


def ignore(root: str, artifact: str) -> bool:
    """Add the artifact to its folder's `.gitignore`; True if the file changed."""
    parent, name = os.path.split(artifact)
    path = os.path.join(root, parent, ".gitignore")
    entry = "/" + escape(name)
    data = read_within(root, os.path.join(parent, ".gitignore"))
    text = "" if data is None else data.decode("utf-8", "surrogateescape")
    if entry in (line.removesuffix("\r") for line in text.split("\n")):  # git splits on \n only
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write_bytes(path, (text + entry + "\n").encode("utf-8", "surrogateescape"))
    return True
