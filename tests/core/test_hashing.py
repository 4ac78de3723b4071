from __future__ import annotations

import os
from pathlib import Path

import pytest
from blake3 import blake3

from nbvc.core.storage import hashing
from nbvc.core.storage.hashing import (
    BIG_FILE,
    copy_hashing,
    hash_bytes,
    hash_owned_file,
    hash_path,
    is_tree_oid,
    is_valid_oid,
    short,
)

EMPTY_BLAKE3 = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"


def reference(data: bytes) -> str:
    return blake3(data).hexdigest()


def test_hash_bytes_is_blake3_hex() -> None:
    assert hash_bytes(b"") == EMPTY_BLAKE3
    assert hash_bytes(b"abc") == reference(b"abc")
    assert hash_bytes(b"abc") != hash_bytes(b"abd")


@pytest.mark.parametrize(
    "size",
    [0, 1, 1 << 20, (1 << 20) + 7, BIG_FILE - 1, BIG_FILE, BIG_FILE + (1 << 20) + 3],
    ids=["empty", "one-byte", "one-chunk", "chunk-plus", "below-big", "big", "above-big"],
)
def test_hash_path_gives_blake3_of_content(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert hash_path(str(path)) == reference(data)
    assert hash_path(str(path), size) == reference(data)


def test_hash_path_follows_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_bytes(b"content")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert hash_path(str(link)) == reference(b"content")


@pytest.mark.parametrize("size", [0, 100, BIG_FILE - 1, BIG_FILE, 3 * BIG_FILE + 4097])
def test_hash_owned_file_in_map_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(hashing, "MAP_WINDOW", 1 << 20)  # many windows, and a short last one
    data = os.urandom(size)
    path = tmp_path / "owned"
    path.write_bytes(data)
    assert hash_owned_file(str(path), size) == reference(data)


def test_copy_hashing_copies_and_hashes(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 11)
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.write_bytes(data)
    src_fd = os.open(src, os.O_RDONLY)
    dst_fd = os.open(dst, os.O_WRONLY | os.O_CREAT)
    try:
        assert copy_hashing(src_fd, dst_fd) == reference(data)
    finally:
        os.close(src_fd)
        os.close(dst_fd)
    assert dst.read_bytes() == data


def test_oid_helpers() -> None:
    oid = reference(b"x")
    assert is_valid_oid(oid)
    assert is_valid_oid(oid + ".dir")
    assert is_tree_oid(oid + ".dir")
    assert not is_tree_oid(oid)
    assert short(oid) == oid[:8]


@pytest.mark.parametrize(
    "bad",
    ["", "abc", "g" * 64, "A" * 64, "a" * 63, "a" * 65, "a" * 64 + ".tree", "../" + "a" * 61],
)
def test_invalid_oids_are_rejected(bad: str) -> None:
    assert not is_valid_oid(bad)
