"""BLAKE3 content hashing.

Small files are hashed from a bounded buffer on the calling thread (many run in parallel in a
pool); big files are memory-mapped and hashed by BLAKE3 on all cores. No file is read into memory
whole.
"""

from __future__ import annotations

import os

from blake3 import blake3

CHUNK = 1 << 20
BIG_FILE = 8 << 20  # above this, BLAKE3 hashes with all cores from a memory map
TREE_SUFFIX = ".dir"
OID_HEX_LEN = 64


def hash_bytes(data: bytes) -> str:
    return blake3(data).hexdigest()


def hash_path(path: str, size: int | None = None) -> str:
    """Hash the file at ``path`` (following symlinks)."""
    if size is None:
        size = os.stat(path).st_size
    if size >= BIG_FILE:
        hasher = blake3(max_threads=blake3.AUTO)
        hasher.update_mmap(path)
        return hasher.hexdigest()
    with open(path, "rb", buffering=0) as handle:
        return hash_fd(handle.fileno())


def hash_fd(fd: int) -> str:
    """Hash what remains to be read from ``fd``, a chunk at a time."""
    hasher = blake3()
    while chunk := os.read(fd, CHUNK):
        hasher.update(chunk)
    return hasher.hexdigest()


def is_tree_oid(oid: str) -> bool:
    return oid.endswith(TREE_SUFFIX)


def is_valid_oid(oid: str) -> bool:
    digest = oid.removesuffix(TREE_SUFFIX)
    return len(digest) == OID_HEX_LEN and all(c in "0123456789abcdef" for c in digest)


def short(oid: str) -> str:
    return oid[:8]


def copy_hashing(src_fd: int, dst_fd: int) -> str:
    """Copy the rest of ``src_fd`` to ``dst_fd`` a chunk at a time; returns the copy's hash."""
    hasher = blake3()
    while chunk := os.read(src_fd, CHUNK):
        hasher.update(chunk)
        view = memoryview(chunk)
        while view:
            view = view[os.write(dst_fd, view) :]
    return hasher.hexdigest()
