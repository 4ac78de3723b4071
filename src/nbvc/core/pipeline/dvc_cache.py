"""DVC's local cache: ``files/md5/<md5[:2]>/<md5[2:]>`` (DVC 3) or ``<md5[:2]>/<md5[2:]>``
(DVC 2 entries), folder listings as ``.dir`` objects, every object read-only.

nbvc writes the outputs of the stages it runs here too, so that `dvc status` and `dvc repro` see
them cached; each object is written to a temp file, synced and renamed into place, like DVC.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterable
from typing import BinaryIO

from nbvc.core.pipeline.dvc_hash import CHUNK, LEGACY, TEXT_BLOCK, Listing, is_text, parse_listing
from nbvc.core.storage import fsutil
from nbvc.core.storage.hashing import TREE_SUFFIX

READ_ONLY = 0o444


def _copy_md5(source: BinaryIO, fd: int, name: str) -> str:
    """Copy ``source`` to ``fd``, returning the md5 (``name``) of what was copied."""
    hasher = hashlib.md5(usedforsecurity=False)
    while chunk := source.read(CHUNK):
        hasher.update(
            chunk.replace(b"\r\n", b"\n")
            if name == LEGACY and is_text(chunk[:TEXT_BLOCK])
            else chunk
        )
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view) :]
    return hasher.hexdigest()


class DvcCache:
    def __init__(self, root: str) -> None:
        self.root = root

    def path(self, md5: str, name: str = "md5") -> str:
        base = self.root if name == LEGACY else os.path.join(self.root, "files", "md5")
        return os.path.join(base, md5[:2], md5[2:])

    def exists(self, md5: str, name: str = "md5") -> bool:
        return os.path.exists(self.path(md5, name))

    def read_bytes(self, md5: str, name: str = "md5") -> bytes | None:
        try:
            with open(self.path(md5, name), "rb") as handle:
                return handle.read()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def listing(self, md5: str, name: str = "md5") -> list[tuple[str, str]] | None:
        """A cached folder's (relpath, md5) entries, or None if absent or unreadable."""
        data = self.read_bytes(md5, name)
        if data is None:
            return None
        try:
            return parse_listing(data)
        except ValueError:
            return None

    def has_all(self, md5: str, name: str = "md5") -> bool:
        """True if the object (a folder: its listing and every file in it) is cached."""
        if not md5.endswith(TREE_SUFFIX):
            return self.exists(md5, name)
        entries = self.listing(md5, name)
        return entries is not None and all(self.exists(m, name) for _, m in entries)

    def store_file(self, src: str, md5: str, name: str = "md5") -> None:
        """Copy the workspace file ``src`` in as object ``md5`` (checked while it is copied)."""
        final = self.path(md5, name)
        if os.path.exists(final):
            return
        os.makedirs(os.path.dirname(final), exist_ok=True)
        tmp = f"{final}.{secrets.token_hex(6)}.tmp"
        try:
            with open(src, "rb", buffering=0) as source:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, READ_ONLY)
                try:
                    copied = _copy_md5(source, fd, name)
                    os.fsync(fd)
                finally:
                    os.close(fd)
            if copied != md5:
                raise OSError(f"{src} changed while it was copied into DVC's cache")
            os.replace(tmp, final)
        finally:
            fsutil.remove_file(tmp)

    def store_bytes(self, data: bytes, md5: str, name: str = "md5") -> None:
        final = self.path(md5, name)
        if os.path.exists(final):
            return
        os.makedirs(os.path.dirname(final), exist_ok=True)
        fsutil.atomic_write_bytes(final, data, READ_ONLY)

    def store_folder(self, folder: str, listing: Listing, name: str = "md5") -> None:
        """Copy a workspace folder in: each file, then its listing (so the listing never names
        a file that is not there)."""
        for rel, (md5, _) in listing.files.items():
            self.store_file(os.path.join(folder, rel), md5, name)
        self.store_bytes(listing.data(), listing.hash.oid, name)

    def missing(self, md5s: Iterable[str], name: str = "md5") -> list[str]:
        return [m for m in md5s if not self.exists(m, name)]

    def remove(self, md5: str, name: str = "md5") -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(md5, name))
