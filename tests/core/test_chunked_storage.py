"""Files stored as content-defined chunks: round trips, sharing, and what the cache costs.

The repos here chunk from 64 KiB on (chunks are 16-256 KiB), so a few MiB exercise every path.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from blake3 import blake3

from nbvc.core.repo import Repo
from nbvc.core.storage.chunking import MAX_CHUNK, chunk_fd
from nbvc.core.storage.manifest import Manifest, ManifestError
from nbvc.core.storage.packs import WRITE_CALL, PackStore, PackWriter
from tests.helpers import make_tree, read_tree, set_config

THRESHOLD = 64 << 10


def chunked_repo(root: Path, threshold: int = THRESHOLD) -> Repo:
    set_config(root, f"[cache]\nchunk_min_size = {threshold}\n")
    return Repo.open(str(root))


@pytest.fixture
def crepo(repo: Repo) -> Repo:
    repo.close()
    return chunked_repo(Path(repo.root))


def data(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def packs_of(repo: Repo) -> set[str]:
    return set(PackStore(repo.odb.packs.packs_dir).names())


def round_trip(repo: Repo, artifact: str) -> None:
    """Checkout every version of ``artifact`` into an empty workspace: each is byte-identical."""
    path = Path(repo.root, artifact)
    for version in repo.history.versions(artifact):
        repo.checkout(f"{artifact}@{version.name}", force=True)
        if version.kind == "file":
            assert blake3(path.read_bytes()).hexdigest() == version.oid
        else:
            tree = repo.workspace.load_tree(version.oid)
            files = read_tree(path)
            assert sorted(files) == sorted(tree.files)
            for rel, meta in tree.files.items():
                assert blake3(files[rel]).hexdigest() == meta.oid
    assert repo.fsck().ok


def test_a_big_file_is_stored_as_chunks_and_comes_back_identical(crepo: Repo) -> None:
    content = data(3 << 20, 1)
    Path(crepo.root, "model.bin").write_bytes(content)
    (result,) = crepo.add(["model.bin"])
    oid = result.version.oid
    assert oid == blake3(content).hexdigest()  # the id is still the hash of the whole content
    assert crepo.odb.is_chunked(oid) and not os.path.exists(crepo.odb.path(oid))
    manifest = crepo.odb.chunks.load(oid)
    assert manifest.size == len(content) and len(manifest.chunks) > 10
    Path(crepo.root, "model.bin").unlink()
    crepo.checkout("model.bin")
    assert Path(crepo.root, "model.bin").read_bytes() == content
    assert crepo.status()[0].state == "unchanged"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty", b""),
        ("below the threshold", data(THRESHOLD - 1, 2)),
        ("exactly the threshold", data(THRESHOLD, 3)),
        ("one repeated byte", b"\0" * (3 << 20)),
        ("one chunk", data(MAX_CHUNK // 2 + THRESHOLD, 4)),
    ],
)
def test_edge_cases_round_trip(crepo: Repo, name: str, content: bytes) -> None:
    Path(crepo.root, "f.bin").write_bytes(content)
    (result,) = crepo.add(["f.bin"])
    assert crepo.odb.is_chunked(result.version.oid) == (len(content) >= THRESHOLD)
    Path(crepo.root, "f.bin").unlink()
    crepo.checkout("f.bin")
    assert Path(crepo.root, "f.bin").read_bytes() == content
    assert crepo.fsck().ok


def test_a_file_of_one_repeated_byte_stores_one_chunk(crepo: Repo) -> None:
    Path(crepo.root, "zeros.bin").write_bytes(b"\0" * (4 << 20))
    (result,) = crepo.add(["zeros.bin"])
    manifest = crepo.odb.chunks.load(result.version.oid)
    assert len(manifest.chunks) == 16 and len(manifest.digests) == 1
    assert crepo.odb.packs.stored_bytes() < MAX_CHUNK + 3 * 4096  # one chunk, page-aligned


def test_a_file_that_shrinks_and_grows_again(crepo: Repo) -> None:
    path = Path(crepo.root, "log.bin")
    full = data(2 << 20, 5)
    for content in (full, full[: 300 << 10], full[:100], full + b"tail"):
        path.write_bytes(content)
        crepo.add(["log.bin"])
    assert [v.number for v in crepo.history.versions("log.bin")] == [4, 3, 2, 1]
    round_trip(crepo, "log.bin")


def test_a_file_whose_every_chunk_is_shared_costs_no_new_chunk(crepo: Repo) -> None:
    content = data(2 << 20, 6)
    Path(crepo.root, "a.bin").write_bytes(content)
    (a,) = crepo.add(["a.bin"])
    boundaries = crepo.odb.chunks.load(a.version.oid).chunks
    prefix = sum(length for _, length in boundaries[: len(boundaries) // 2])
    Path(crepo.root, "b.bin").write_bytes(content[:prefix])  # ends where a chunk of a.bin ends
    before = packs_of(crepo)
    (b,) = crepo.add(["b.bin"])
    assert (
        crepo.odb.chunks.load(b.version.oid).digests <= crepo.odb.chunks.load(a.version.oid).digests
    )
    assert packs_of(crepo) == before  # nothing new was written
    round_trip(crepo, "b.bin")


def test_folders_mix_whole_and_chunked_files(crepo: Repo) -> None:
    shared = data(1 << 20, 7)
    make_tree(
        Path(crepo.root, "data"),
        {
            "small.txt": "small",
            "empty.txt": "",
            "big/a.bin": shared,
            "big/b.bin": shared[:400_000] + b"edit" + shared[400_004:],
            "empty_dir": None,
        },
    )
    (first,) = crepo.add(["data"])
    tree = crepo.workspace.load_tree(first.version.oid)
    chunked = {rel for rel, m in tree.files.items() if crepo.odb.is_chunked(m.oid)}
    assert chunked == {"big/a.bin", "big/b.bin"}
    Path(crepo.root, "data/big/a.bin").write_bytes(shared + b"appended")
    crepo.add(["data"])
    round_trip(crepo, "data")
    assert Path(crepo.root, "data/empty_dir").is_dir()


def test_versions_with_small_edits_share_their_chunks(crepo: Repo) -> None:
    size = 4 << 20
    content = bytearray(data(size, 8))
    path = Path(crepo.root, "ckpt.bin")
    rng = random.Random(9)
    for _ in range(5):
        for _ in range(3):  # three 32 KiB regions rewritten in place
            at = rng.randrange(size - (32 << 10))
            content[at : at + (32 << 10)] = rng.randbytes(32 << 10)
        content[1000:1000] = rng.randbytes(1024)  # and 1 KiB inserted near the start
        path.write_bytes(content)
        crepo.add(["ckpt.bin"])
    stored = crepo.odb.packs.stored_bytes()
    assert stored < 1.6 * len(content)  # whole files would be 5x
    round_trip(crepo, "ckpt.bin")


def test_cutting_in_blocks_gives_the_cuts_of_the_whole_file(tmp_path: Path) -> None:
    """The reader carries the unfinished end of each block into the next, so the cut points
    are those of the whole file however the blocks fall."""
    from pyfastcdc.cy import FastCDC

    from nbvc.core.storage import chunking

    content = data(3 << 20, 10)
    path = tmp_path / "f.bin"
    path.write_bytes(content)
    expected = [
        c.length for c in FastCDC(64 << 10, min_size=16 << 10, max_size=256 << 10).cut_buf(content)
    ]
    old = chunking.BLOCK
    chunking.BLOCK = 300_001  # an odd block size: cuts straddle every block boundary
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            got = chunk_fd(fd, lambda _chunks: None)
        finally:
            os.close(fd)
    finally:
        chunking.BLOCK = old
    assert [length for _, length in got.chunks] == expected
    assert got.oid == blake3(content).hexdigest() and got.size == len(content)


def test_a_damaged_manifest_is_refused(crepo: Repo) -> None:
    Path(crepo.root, "m.bin").write_bytes(data(1 << 20, 11))
    (result,) = crepo.add(["m.bin"])
    raw = Path(crepo.odb.chunks.manifest_path(result.version.oid)).read_bytes()
    damaged = raw[:60] + bytes([raw[60] ^ 1]) + raw[61:]
    with pytest.raises(ManifestError):
        Manifest.deserialize(damaged)
    with pytest.raises(ManifestError):
        Manifest.deserialize(raw, "0" * 64)  # a good manifest of another file


def test_chunking_off_stores_whole_objects(repo: Repo) -> None:
    repo.close()
    whole = chunked_repo(Path(repo.root), threshold=0)
    Path(whole.root, "big.bin").write_bytes(data(1 << 20, 12))
    (result,) = whole.add(["big.bin"])
    assert not whole.odb.is_chunked(result.version.oid)
    assert os.path.exists(whole.odb.path(result.version.oid))
    whole.close()


def test_with_hard_links_configured_chunked_files_are_copies(repo: Repo) -> None:
    set_config(
        Path(repo.root),
        f'[core]\nlink_types = ["hardlink", "copy"]\n[cache]\nchunk_min_size = {THRESHOLD}\n',
    )
    repo.close()
    linked = Repo.open(repo.root)
    make_tree(Path(linked.root, "data"), {"big.bin": data(1 << 20, 13), "small.txt": "small"})
    linked.add(["data"])
    big, small = Path(linked.root, "data/big.bin"), Path(linked.root, "data/small.txt")
    assert small.stat().st_nlink == 2 and big.stat().st_nlink == 1  # small: linked to the cache
    big.unlink()
    small.unlink()
    linked.checkout("data")
    assert big.read_bytes() == data(1 << 20, 13) and small.stat().st_nlink == 2
    assert linked.status()[0].state == "unchanged"
    linked.close()


def test_pack_data_reaches_the_kernel_in_writes_of_about_one_mib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write call's length sets the size of the page-cache folios the kernel allocates for
    it; an 8 MiB write asks for the largest, which cost memory compaction on a full page cache
    (docs/benchmarks.md). PackWriter hands the kernel at most about WRITE_CALL bytes at once."""
    data = random.Random(3).randbytes(8 << 20)
    chunks = [
        (blake3(data[i : i + 50_000]).digest(), memoryview(data)[i : i + 50_000])
        for i in range(0, len(data), 50_000)
    ]
    sizes: list[int] = []
    real_writev = os.writev

    def recording_writev(fd: int, buffers: list[bytes | memoryview]) -> int:
        sizes.append(sum(len(b) for b in buffers))
        return real_writev(fd, buffers)

    monkeypatch.setattr(os, "writev", recording_writev)
    writer = PackWriter(str(tmp_path), durable=False)
    writer.add(chunks)
    (staged,) = writer.finish()
    assert sum(sizes) == len(data)
    assert max(sizes) <= WRITE_CALL + MAX_CHUNK
    body = Path(staged.pack_tmp).read_bytes()
    for entry, (digest, piece) in zip(staged.entries, chunks, strict=True):
        assert entry.digest == digest and body[entry.offset : entry.offset + entry.length] == piece
