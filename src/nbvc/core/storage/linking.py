"""Materialising cached objects in the workspace: reflink, hardlink, symlink or copy.

Before a batch, :meth:`Linker.prepare` finds the first configured link type that works between
the cache and the destination folder (one probe per batch, not one failed attempt per file, which
is where DVC loses time on ext4) and, for link types that do not read the data, checks the
objects against the stat cache. Every file is then written under a temporary name in the repo's
temp folder (:mod:`.scratch`; beside the destination only on another filesystem) and renamed over
it, so an existing workspace file (perhaps a hard link to a read-only cache object) is replaced,
never written through, and a killed checkout leaves nothing in the workspace. Copies are hashed
as they are written.

A file stored as chunks is always copied: its chunks are copied out of their packs in the
kernel, run by run, and the result is hashed (unless the manifest was verified before and has
not changed since, as for big whole objects).
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Sequence
from typing import NamedTuple

from nbvc.core.errors import CorruptObjectError, MissingObjectError, NbvcError
from nbvc.core.storage import fsutil
from nbvc.core.storage.hashing import BIG_FILE, copy_hashing, hash_owned_file, is_tree_oid
from nbvc.core.storage.index_db import Index
from nbvc.core.storage.odb import ObjectStore
from nbvc.core.storage.pool import Pool

_UNSUPPORTED = (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP, errno.EINVAL)


class Written(NamedTuple):
    """The stat of a file just written, for the stat cache."""

    ino: int
    size: int
    mtime_ns: int
    oid: str
    recorded_ns: int


class Linker:
    def __init__(self, odb: ObjectStore, index: Index, link_types: Sequence[str]) -> None:
        self.odb = odb
        self.index = index
        self.link_types = tuple(link_types)
        self.link_type = "copy"
        self.trusted: set[str] = set()  # objects verified by the stat cache or re-hashed
        self.chunked: set[str] = set()  # objects stored as chunks: always copied

    def prepare(self, oids: Sequence[str], dest_dir: str, pool: Pool) -> None:
        """Pick the link type for a batch and verify the objects that linking won't read."""
        if not oids:
            return
        if trees := [oid for oid in oids if is_tree_oid(oid)]:  # never "verify" a manifest
            raise NbvcError(  # as a file: it would not match, and a good manifest be quarantined
                f"{trees[0][:12]} is a folder manifest, not a file; the pointer or record "
                "naming it as a file is damaged: restore it from git, or re-add the path"
            )
        if missing := self.odb.missing(oids, pool):
            raise MissingObjectError(
                f"{len(missing)} object(s) ({missing[0][:12]}...) are not in the cache; "
                "run `nbvc pull` to fetch them"
            )
        self.chunked = {o for o in set(oids) if self.odb.is_chunked(o)}
        whole = [o for o in oids if o not in self.chunked]
        self.link_type = next(
            (
                t
                for t in self.link_types
                if t == "copy" or (whole and self._works(t, whole[0], dest_dir))
            ),
            "copy",
        )
        if self.link_type != "copy":
            self._verify(whole, pool)
        big = {o for o in whole if os.stat(self.odb.path(o)).st_size >= BIG_FILE}
        # copies hash as they go; big ones (and chunked ones) are worth trusting by stat
        self.trusted |= self.odb.known_intact(self.index, big | self.chunked)

    def materialize(self, oid: str, dest: str, executable: bool) -> Written:
        """Put object ``oid`` at ``dest``, replacing whatever is there."""
        tmp = self.odb.scratch.temp_for(dest)
        linked = False
        try:
            if oid in self.chunked:
                _assemble_verified(self.odb, oid, tmp, executable, oid in self.trusted)
                self.trusted.add(oid)
            elif self.link_type == "copy" or not self._link(self.link_type, oid, tmp, executable):
                _copy_verified(self.odb, oid, tmp, executable, oid in self.trusted)
            else:
                linked = True
            os.replace(tmp, dest)
        except BaseException:
            fsutil.remove_file(tmp)
            raise
        st = os.lstat(dest) if linked and self.link_type == "symlink" else os.stat(dest)
        return Written(st.st_ino, st.st_size, st.st_mtime_ns, oid, time.time_ns())

    def newly_verified(self) -> list[str]:
        """Chunked objects whose assembly was hashed in this batch (to trust them next time)."""
        return sorted(self.chunked & self.trusted)

    def is_linked(self, oid: str, dest: str) -> bool:
        """True if ``dest`` already is a link of the chosen type to object ``oid``."""
        if oid in self.chunked:
            return False
        src = self.odb.path(oid)
        try:
            if self.link_type == "symlink":
                return os.readlink(dest) == src
            if self.link_type == "hardlink":
                return os.path.samefile(dest, src)
        except OSError:
            return False
        return False

    def _works(self, link_type: str, oid: str, dest_dir: str) -> bool:
        os.makedirs(dest_dir, exist_ok=True)
        probe = self.odb.scratch.temp_for(os.path.join(dest_dir, "probe"))
        try:
            return self._link(link_type, oid, probe, False)
        finally:
            fsutil.remove_file(probe)

    def _link(self, link_type: str, oid: str, tmp: str, executable: bool) -> bool:
        src = self.odb.path(oid)
        if executable and link_type in ("hardlink", "symlink"):
            return False  # the shared, read-only object can't carry the executable bit: copy
        try:
            if link_type == "hardlink":
                os.link(src, tmp)
            elif link_type == "symlink":
                os.symlink(src, tmp)
            else:
                return _reflink(src, tmp, executable)
        except OSError as exc:
            if exc.errno in _UNSUPPORTED:
                return False
            raise
        return True

    def _verify(self, oids: Sequence[str], pool: Pool) -> None:
        unique = sorted(set(oids))
        stats = {oid: os.stat(self.odb.path(oid)) for oid in unique}
        intact = self.odb.known_intact(self.index, unique)
        suspects = [oid for oid in unique if oid not in intact]
        started_ns = time.time_ns()
        hashes = pool.map(
            lambda oid: hash_owned_file(self.odb.path(oid), stats[oid].st_size), suspects
        )
        for oid, actual in zip(suspects, hashes, strict=True):
            if actual != oid:
                raise _corrupt(self.odb, oid)
        self.index.stat_store(
            (stats[oid].st_ino, stats[oid].st_size, stats[oid].st_mtime_ns, oid, started_ns)
            for oid in suspects
        )


def _reflink(src: str, tmp: str, executable: bool) -> bool:
    src_fd = os.open(src, os.O_RDONLY)
    try:
        dst_fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _mode(executable))
        try:
            ok = fsutil.try_reflink(src_fd, dst_fd)
        finally:
            os.close(dst_fd)
    finally:
        os.close(src_fd)
    if not ok:
        fsutil.remove_file(tmp)
    return ok


def _copy_verified(odb: ObjectStore, oid: str, tmp: str, executable: bool, trusted: bool) -> None:
    """Copy an object to ``tmp``, hashing what was copied (unless it is a ``trusted`` big object);
    a mismatch quarantines the object."""
    src_fd = os.open(odb.path(oid), os.O_RDONLY)
    try:
        size = os.fstat(src_fd).st_size
        dst_fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _mode(executable))
        try:
            if size >= BIG_FILE:
                fsutil.copy_fd(src_fd, dst_fd, size)
                actual = oid if trusted else hash_owned_file(tmp, size)
            else:
                actual = copy_hashing(src_fd, dst_fd)
        finally:
            os.close(dst_fd)
    finally:
        os.close(src_fd)
    if actual != oid:
        fsutil.remove_file(tmp)
        raise _corrupt(odb, oid)


def _assemble_verified(
    odb: ObjectStore, oid: str, tmp: str, executable: bool, trusted: bool
) -> None:
    """Write a chunked object to ``tmp`` from its packs and check (unless ``trusted``) that the
    result hashes to ``oid``; a mismatch quarantines the manifest."""
    manifest = odb.chunks.load(oid)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _mode(executable))
    try:
        odb.chunks.copy_to(manifest, fd)
    finally:
        os.close(fd)
    if not trusted and hash_owned_file(tmp, manifest.size) != oid:
        fsutil.remove_file(tmp)
        raise CorruptObjectError(
            f"object {oid[:12]} is stored as chunks that no longer add up to it; run "
            "`nbvc fsck` to find the damaged chunks (`nbvc fsck --remote NAME` repairs them)"
        )


def _corrupt(odb: ObjectStore, oid: str) -> CorruptObjectError:
    with contextlib.suppress(OSError):
        odb.quarantine(oid)
    return CorruptObjectError(
        f"cached object {oid[:12]} is corrupt (its content no longer matches its hash) and has "
        "been quarantined; run `nbvc pull` to fetch a good copy, then try again"
    )


def _mode(executable: bool) -> int:
    return 0o777 if executable else 0o666
