"""Pointer files: `<path>.nbvc`, small YAML documents that git tracks in place of the data.

The format is a flat YAML mapping, written and parsed here without a YAML library so that
`nbvc status` stays fast::

    # nbvc pointer: commit this file; the data lives in the nbvc cache (`nbvc checkout` restores it)
    oid: 4f1c...e2.dir
    type: dir
    size: 693042112
    files: 20000
    version: 3

A file that merely ends in ``.nbvc`` but holds no ``oid:`` line is the user's, not a pointer:
every listing of tracked paths passes it by, and nbvc never overwrites it.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

from nbvc.core.errors import FormatError, PathError
from nbvc.core.formats.limits import decode
from nbvc.core.storage.fsutil import atomic_write_text
from nbvc.core.storage.hashing import TREE_SUFFIX, is_valid_oid

SUFFIX = ".nbvc"
HEADER = (
    "# nbvc pointer: commit this file; the data lives in the nbvc cache "
    "(`nbvc checkout` restores it)\n"
)
_INT_FIELDS = ("size", "files", "version")
MAX_POINTER_BYTES = 64 << 10  # a pointer is a few hundred bytes
_SNIFF_BYTES = 4096
_OID_LINE = re.compile(rb"(?m)^[ \t]*oid[ \t]*:")


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
    kind = fields.get("type")
    if not is_valid_oid(oid) or kind not in ("file", "dir"):
        raise PathError(f"{origin} is not a valid nbvc pointer; restore it from git or re-add")
    if (kind == "dir") != oid.endswith(TREE_SUFFIX):
        raise PathError(
            f"{origin} says type: {kind} but its oid is a {_kind_of(oid)}'s; "
            "restore it from git or re-add the path"
        )
    try:
        size, nfiles = int(fields.get("size", "0")), int(fields.get("files", "1"))
        version = int(fields["version"]) if "version" in fields else None
    except ValueError:
        raise PathError(f"{origin}: size, files and version must be integers") from None
    return Pointer(oid, fields["type"], size, nfiles, version)


def _kind_of(oid: str) -> str:
    return "folder" if oid.endswith(TREE_SUFFIX) else "file"


def looks_like_pointer(path: str) -> bool:
    """True if the file at ``path`` (a ``.nbvc`` file) is meant as a pointer: it has an
    ``oid:`` line near the top. A user's own ``x.nbvc`` file is not."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and bool(
            _OID_LINE.search(os.read(fd, _SNIFF_BYTES))
        )
    finally:
        os.close(fd)


def read(path: str) -> Pointer | None:
    """The pointer for the artifact at ``path``, or None if it has none.

    A ``.nbvc`` file that is not a pointer (a symlink, a FIFO, a user's file of that name) is
    an error that says so, so that nbvc never takes it for one or overwrites it.
    """
    name = pointer_path(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:  # ELOOP: a symlink
        raise PathError(
            f"{name} is not an nbvc pointer file ({exc.strerror}); pointer files are regular "
            "files: rename it, or restore it from git"
        ) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise PathError(f"{name} is not an nbvc pointer file (not a regular file); rename it")
        data = os.read(fd, MAX_POINTER_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_POINTER_BYTES or not _OID_LINE.search(data[:_SNIFF_BYTES]):
        raise PathError(
            f"{name} is not an nbvc pointer file (it has no oid: line); nbvc keeps pointer "
            "files under that name: rename it, or restore it from git"
        )
    try:
        text = decode(data, name)
    except FormatError as exc:
        raise PathError(str(exc)) from None
    return parse(text, name)


def write(path: str, pointer: Pointer) -> None:
    atomic_write_text(pointer_path(path), pointer.dumps())


def remove(path: str) -> None:
    os.unlink(pointer_path(path))
