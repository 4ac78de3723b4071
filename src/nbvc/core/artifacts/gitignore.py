"""Keeping tracked data out of git: one `/name` line in the parent folder's `.gitignore`."""

from __future__ import annotations

import os

from nbvc.core.storage.fsutil import atomic_write_text


def escape(name: str) -> str:
    """A file name as a literal gitignore pattern (glob characters and edge spaces escaped)."""
    escaped = "".join("\\" + c if c in "\\*?[" else c for c in name)
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
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        text = ""
    if entry in text.splitlines():
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write_text(path, text + entry + "\n")
    return True
