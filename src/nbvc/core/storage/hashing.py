"""BLAKE3 content hashing.

Small files are hashed on the calling thread (many run in parallel in a pool); big files are
hashed by BLAKE3 on all cores, a bounded window at a time. No file is read into memory whole.
"""

from __future__ import annotations

import mmap
import os

from blake3 import blake3

CHUNK = 1 << 20
BIG_FILE = 8 << 20  # from this size on, BLAKE3 hashes with all cores
BIG_CHUNK = 16 << 20
MAP_WINDOW = 16 << 20
TREE_SUFFIX = ".dir"
CHUNKED_SUFFIX = ".chunks"  # a file stored as chunks: its manifest, where the object would be
OID_HEX_LEN = 64


def hash_bytes(data: bytes | memoryview) -> str:
    if len(data) >= BIG_FILE:
        return blake3(data, max_threads=blake3.AUTO).hexdigest()
    return blake3(data).hexdigest()


def hash_path(path: str, size: int | None = None) -> str:
    """Hash any file at ``path`` (following symlinks), reading it in bounded chunks."""
    if size is None:
        size = os.stat(path).st_size
    if size < BIG_FILE:
        with open(path, "rb", buffering=0) as handle:
            hasher = blake3()
            while chunk := handle.read(CHUNK):
                hasher.update(chunk)
            return hasher.hexdigest()
    hasher = blake3(max_threads=blake3.AUTO)
    buffer = bytearray(BIG_CHUNK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while n := handle.readinto(buffer):
            hasher.update(view[:n])
    return hasher.hexdigest()


def hash_owned_file(path: str, size: int) -> str:
    """Hash a file nbvc owns (a temp copy or a read-only cache object) through memory maps.

    Faster than reading for big files, with memory bounded by the window. Only for files nobody
    else truncates: a mapped file shrinking under us would raise SIGBUS.
    """
    if size < BIG_FILE:
        return hash_path(path, size)
    hasher = blake3(max_threads=blake3.AUTO)
    with open(path, "rb", buffering=0) as handle:
        for offset in range(0, size, MAP_WINDOW):
            length = min(MAP_WINDOW, size - offset)
            with mmap.mmap(handle.fileno(), length, offset=offset, access=mmap.ACCESS_READ) as m:
                hasher.update(m)
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
