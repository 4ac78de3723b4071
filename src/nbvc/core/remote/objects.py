"""Moving one object between the local cache and a remote, checking its hash on both ways.

Uploads read the cached object, check that it still hashes to its name (a damaged cache object
is quarantined, never spread) and hand it to :class:`Remote`, which publishes it atomically.
Downloads land in this process's temp folder under `.nbvc/tmp`, are hashed, and only a match is
renamed into the cache. A mismatch is fetched once more before the remote copy is declared
corrupt (so a glitch in transit is not mistaken for damage at rest). Fetched objects are not
synced to disk (the remote keeps the durable copy; see :meth:`ObjectStore.commit`), which keeps a
pull of a big file from waiting for the disk to write it all back.
"""

from __future__ import annotations

import contextlib
import os
from enum import Enum

from nbvc.core.remote.fs import Remote
from nbvc.core.storage import fsutil
from nbvc.core.storage.hashing import BIG_FILE, TREE_SUFFIX, hash_bytes, hash_owned_file
from nbvc.core.storage.odb import READ_ONLY, ObjectStore, Staged, StoredFile

FETCH_ATTEMPTS = 2


class Outcome(Enum):
    SENT = "sent"
    MISSING = "missing"  # not at the source
    CORRUPT = "corrupt"  # at the source, but its content does not match its name


def digest(oid: str) -> str:
    return oid.removesuffix(TREE_SUFFIX)


def upload(
    odb: ObjectStore, remote: Remote, oid: str, trusted: bool = False
) -> tuple[Outcome, int]:
    """Send one cached object; returns the outcome and the bytes sent.

    A big object ``trusted`` by its stat-cache entry is not re-hashed before it goes.
    """
    path = odb.path(oid)
    try:
        size = os.stat(path).st_size
        if size >= BIG_FILE:
            if not trusted and not odb.verify(oid):
                return _quarantined(odb, oid)
            remote.put_file(path, remote.object_path(oid))
            return Outcome.SENT, size
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return Outcome.MISSING, 0
    if hash_bytes(data) != digest(oid):
        return _quarantined(odb, oid)
    remote.write_bytes(remote.object_path(oid), data)
    return Outcome.SENT, len(data)


def download(odb: ObjectStore, remote: Remote, oid: str, size: int | None) -> tuple[Outcome, int]:
    """Fetch one object into the cache, verified; returns the outcome and the bytes received."""
    # an object of unknown size (a folder manifest aside) streams to disk rather than to memory
    big = size >= BIG_FILE if size is not None else not oid.endswith(TREE_SUFFIX)
    for _ in range(FETCH_ATTEMPTS):
        tmp = odb.scratch.temp("fetch-")
        try:
            received = _receive_big(remote, oid, tmp) if big else _receive(remote, oid, tmp)
        except BaseException:
            fsutil.remove_file(tmp)
            raise
        if received is None:
            fsutil.remove_file(tmp)
            return Outcome.MISSING, 0
        actual, nbytes = received
        if actual == digest(oid):
            odb.commit([Staged(StoredFile(oid, nbytes, 0, 0), tmp)], durable=False)
            return Outcome.SENT, nbytes
        fsutil.remove_file(tmp)
    return Outcome.CORRUPT, 0


def _receive(remote: Remote, oid: str, tmp: str) -> tuple[str, int] | None:
    data = remote.read_bytes(remote.object_path(oid))
    if data is None:
        return None
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, READ_ONLY)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    return hash_bytes(data), len(data)


def _receive_big(remote: Remote, oid: str, tmp: str) -> tuple[str, int] | None:
    if not remote.get_file(remote.object_path(oid), tmp):
        return None
    os.chmod(tmp, READ_ONLY)
    size = os.stat(tmp).st_size
    return hash_owned_file(tmp, size), size


def _quarantined(odb: ObjectStore, oid: str) -> tuple[Outcome, int]:
    with contextlib.suppress(OSError):
        odb.quarantine(oid)
    return Outcome.CORRUPT, 0
