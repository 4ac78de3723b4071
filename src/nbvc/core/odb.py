"""The content-addressed object store in `.nbvc/cache/objects`.

An object's name is the BLAKE3 hex digest of its bytes (``oid[:2]/oid[2:]``); directory
manifests carry the suffix ``.dir``. Objects are written to a temp file, synced, hashed from what
was actually written and only then renamed to their final name, so a killed writer never leaves a
corrupt or partial object behind. Objects are read-only on disk.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from nbvc.core import fsutil
from nbvc.core.errors import CorruptObjectError, MissingObjectError
from nbvc.core.hashing import (
    BIG_FILE,
    TREE_SUFFIX,
    copy_hashing,
    hash_bytes,
    hash_path,
    is_valid_oid,
)

READ_ONLY = 0o444


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What storing a workspace file produced: its oid and the stat taken before reading it."""

    oid: str
    size: int
    ino: int
    mtime_ns: int


class ObjectStore:
    def __init__(self, objects_dir: str, tmp_dir: str, quarantine_dir: str) -> None:
        self.objects_dir = objects_dir
        self.tmp_dir = tmp_dir
        self.quarantine_dir = quarantine_dir
        self._reflink_ok: bool | None = None

    # -- addressing -------------------------------------------------------------------------
    def path(self, oid: str) -> str:
        return os.path.join(self.objects_dir, oid[:2], oid[2:])

    def exists(self, oid: str) -> bool:
        return os.path.exists(self.path(oid))

    def oid_from_path(self, path: str) -> str | None:
        """The oid of an object path inside this store, or None (used for symlinked checkouts)."""
        parent, name = os.path.split(path)
        prefix_dir, prefix = os.path.split(parent)
        if prefix_dir != self.objects_dir:
            return None
        oid = prefix + name
        return oid if is_valid_oid(oid) else None

    def iter_oids(self) -> Iterator[str]:
        with contextlib.suppress(FileNotFoundError), os.scandir(self.objects_dir) as prefixes:
            for prefix in prefixes:
                if len(prefix.name) != 2 or not prefix.is_dir():
                    continue
                with os.scandir(prefix.path) as entries:
                    for entry in entries:
                        oid = prefix.name + entry.name
                        if is_valid_oid(oid):
                            yield oid

    # -- writing ----------------------------------------------------------------------------
    def add_file(self, src: str) -> StoredFile:
        """Copy the file at ``src`` into the store; returns its oid and pre-read stat."""
        src_fd = os.open(src, os.O_RDONLY)
        try:
            st = os.fstat(src_fd)
            tmp_fd, tmp = tempfile.mkstemp(dir=self.tmp_dir, prefix="obj-")
            try:
                if st.st_size >= BIG_FILE:
                    self._clone_or_copy(src_fd, tmp_fd, st.st_size)
                    os.fsync(tmp_fd)
                    oid = hash_path(tmp, st.st_size)
                else:
                    oid = copy_hashing(src_fd, tmp_fd)
                    os.fsync(tmp_fd)
            finally:
                os.close(tmp_fd)
            self._commit(tmp, oid)
        finally:
            os.close(src_fd)
        return StoredFile(oid, st.st_size, st.st_ino, st.st_mtime_ns)

    def add_bytes(self, data: bytes, suffix: str = "") -> str:
        oid = hash_bytes(data) + suffix
        if not self.exists(oid):
            fd, tmp = tempfile.mkstemp(dir=self.tmp_dir, prefix="obj-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            self._commit(tmp, oid)
        return oid

    def install(self, tmp: str, oid: str) -> None:
        """Move ``tmp`` (a file in the temp folder that the caller has hashed to ``oid``, e.g.
        one fetched from a remote) into the store under its final name."""
        self._commit(tmp, oid)

    def _commit(self, tmp: str, oid: str) -> None:
        final = self.path(oid)
        os.chmod(tmp, READ_ONLY)
        try:
            os.rename(tmp, final)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(final), exist_ok=True)
            os.rename(tmp, final)

    def _clone_or_copy(self, src_fd: int, dst_fd: int, size: int) -> None:
        if self._reflink_ok is not False:
            self._reflink_ok = fsutil.try_reflink(src_fd, dst_fd)
            if self._reflink_ok:
                return
        fsutil.copy_fd(src_fd, dst_fd, size)

    # -- reading and checking ---------------------------------------------------------------
    def read_bytes(self, oid: str) -> bytes:
        """Read a (small) object such as a manifest, checking its hash."""
        try:
            with open(self.path(oid), "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise MissingObjectError(
                f"object {oid[:12]} is not in the cache; run `nbvc pull` to fetch it"
            ) from None
        if hash_bytes(data) != oid.removesuffix(TREE_SUFFIX):
            self.quarantine(oid)
            raise CorruptObjectError(
                f"object {oid[:12]} was corrupt and has been quarantined; "
                "run `nbvc pull` to fetch a good copy, or `nbvc fsck` to check the whole cache"
            )
        return data

    def verify(self, oid: str) -> bool:
        """Re-hash an object; True if its content matches its name."""
        path = self.path(oid)
        if oid.endswith(TREE_SUFFIX):
            with open(path, "rb") as handle:
                return hash_bytes(handle.read()) == oid.removesuffix(TREE_SUFFIX)
        return hash_path(path) == oid

    def quarantine(self, oid: str) -> str:
        """Move a corrupt object out of the store; returns where it went."""
        os.makedirs(self.quarantine_dir, exist_ok=True)
        dest = os.path.join(self.quarantine_dir, oid)
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.path(oid), dest)
        return dest

    def remove(self, oid: str) -> int:
        """Delete an object; returns the bytes freed."""
        path = self.path(oid)
        try:
            size = os.lstat(path).st_size
        except FileNotFoundError:
            return 0
        fsutil.remove_file(path)
        return size

    def size(self, oid: str) -> int:
        return os.stat(self.path(oid)).st_size
