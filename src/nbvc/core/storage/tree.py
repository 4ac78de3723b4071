"""Directory manifests: the value type that names a whole tracked directory.

A tree lists every file (relative POSIX path, oid, size, executable bit) and every empty folder.
Its serialisation is canonical (sorted, compact JSON) so the same content always has the same
oid, which lets status compare a whole directory by one hash.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from nbvc.core.errors import FolderManifestError
from nbvc.core.storage.hashing import TREE_SUFFIX, hash_bytes

FORMAT = 1


class FileMeta(NamedTuple):
    oid: str
    size: int
    executable: bool


@dataclass(frozen=True)
class Tree:
    """A value: ``files`` is never changed after construction, so the serialisation, oid and
    size are computed once (a 20,000-file tree takes ~40 ms to serialise)."""

    files: dict[str, FileMeta]
    empty_dirs: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def size(self) -> int:
        return sum(meta.size for meta in self.files.values())

    @property
    def nfiles(self) -> int:
        return len(self.files)

    def serialize(self) -> bytes:
        return self._serialized

    @cached_property
    def _serialized(self) -> bytes:
        rows = [[path, m.oid, m.size, int(m.executable)] for path, m in sorted(self.files.items())]
        doc = {"format": FORMAT, "files": rows, "empty_dirs": sorted(self.empty_dirs)}
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8", "surrogateescape")  # names that are not UTF-8 stay as bytes

    @cached_property
    def oid(self) -> str:
        return hash_bytes(self._serialized) + TREE_SUFFIX

    @classmethod
    def deserialize(cls, data: bytes) -> Tree:
        """A manifest read back. Manifests come from remotes too, so each one is checked: a
        flat document of rows whose paths stay inside the folder (no ``..``, nothing absolute)
        and name valid objects; anything else is a :class:`FolderManifestError`."""
        try:
            doc = json.loads(data.decode("utf-8", "surrogateescape"))
            files = {
                _checked_path(row[0]): FileMeta(_checked_oid(row[1]), int(row[2]), bool(row[3]))
                for row in doc["files"]
            }
            empty = frozenset(_checked_path(p) for p in doc.get("empty_dirs", ()))
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
            raise FolderManifestError(
                f"a folder manifest ({hash_bytes(data)[:12]}) is not valid; it was made "
                "elsewhere: fetch the folder again from a remote you trust"
            ) from None
        return cls(files, empty)


def _checked_path(path: object) -> str:
    if (
        not isinstance(path, str)
        or not path
        or path.startswith("/")
        or "\x00" in path
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise ValueError(f"bad path {path!r}")
    return path


_FILE_OID = re.compile(r"[0-9a-f]{64}")


def _checked_oid(oid: object) -> str:
    if not isinstance(oid, str) or not _FILE_OID.fullmatch(oid):
        raise ValueError(f"bad oid {oid!r}")
    return oid


class TreeDiff(NamedTuple):
    added: list[str]
    removed: list[str]
    modified: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.modified)


def diff_trees(old: Tree, new: Tree) -> TreeDiff:
    old_files, new_files = old.files, new.files
    added = sorted(p for p in new_files if p not in old_files)
    removed = sorted(p for p in old_files if p not in new_files)
    modified = sorted(p for p, meta in new_files.items() if p in old_files and old_files[p] != meta)
    return TreeDiff(added, removed, modified)
