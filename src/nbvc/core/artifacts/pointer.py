"""Pointer files: `<path>.nbvc`, small YAML documents that git tracks in place of the data.

The format is a flat YAML mapping, written and parsed here without a YAML library so that
`nbvc status` stays fast::

    # nbvc pointer: commit this file; the data lives in the nbvc cache (`nbvc checkout` restores it)
    oid: 4f1c...e2.dir
    type: dir
    size: 693042112
    files: 20000
    version: 3
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from nbvc.core.errors import PathError
from nbvc.core.storage.fsutil import atomic_write_text
from nbvc.core.storage.hashing import is_valid_oid

SUFFIX = ".nbvc"
HEADER = (
    "# nbvc pointer: commit this file; the data lives in the nbvc cache "
    "(`nbvc checkout` restores it)\n"
)
_INT_FIELDS = ("size", "files", "version")


@dataclass(frozen=True)
class Pointer:
    oid: str
    kind: str  # "file" or "dir"
    size: int
    nfiles: int
    version: int | None

    def dumps(self) -> str:
        lines = [HEADER, f"oid: {self.oid}\n", f"type: {self.kind}\n", f"size: {self.size}\n"]
        lines.append(f"files: {self.nfiles}\n")
        if self.version is not None:
            lines.append(f"version: {self.version}\n")
        return "".join(lines)


def pointer_path(path: str) -> str:
    return path + SUFFIX


def parse(text: str, origin: str) -> Pointer:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition(":")
        if not sep:
            raise PathError(f"{origin}: cannot read line {line!r}; restore the file from git")
        fields[key.strip()] = value.strip().strip("'\"")
    oid = fields.get("oid", "")
    if not is_valid_oid(oid) or fields.get("type") not in ("file", "dir"):
        raise PathError(f"{origin} is not a valid nbvc pointer; restore it from git or re-add")
    try:
        size, nfiles = int(fields.get("size", "0")), int(fields.get("files", "1"))
        version = int(fields["version"]) if "version" in fields else None
    except ValueError:
        raise PathError(f"{origin}: size, files and version must be integers") from None
    return Pointer(oid, fields["type"], size, nfiles, version)


def read(path: str) -> Pointer | None:
    """The pointer for the artifact at ``path``, or None if it has none."""
    try:
        with open(pointer_path(path), encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return None
    return parse(text, pointer_path(path))


def write(path: str, pointer: Pointer) -> None:
    atomic_write_text(pointer_path(path), pointer.dumps())


def remove(path: str) -> None:
    os.unlink(pointer_path(path))
