"""gc, fsck and `gc --rechunk` on a cache holding chunked files."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from nbvc.core.errors import CorruptObjectError, MissingObjectError
from nbvc.core.remote import remote_config as remotes
from nbvc.core.repo import Repo
from nbvc.core.storage.packs import PACK_SUFFIX, PackStore
from tests.core.test_chunked_storage import chunked_repo, round_trip
from tests.helpers import set_config

SIZE = 2 << 20


@pytest.fixture
def versions(repo: Repo) -> Repo:
    """``ckpt.bin`` in three versions that share most chunks, and an unrelated ``other.bin``."""
    repo.close()
    crepo = chunked_repo(Path(repo.root))
    rng = random.Random(1)
    content = bytearray(rng.randbytes(SIZE))
    for _ in range(3):
        at = rng.randrange(SIZE - 100_000)
        content[at : at + 100_000] = rng.randbytes(100_000)
        Path(crepo.root, "ckpt.bin").write_bytes(content)
        crepo.add(["ckpt.bin"])
    Path(crepo.root, "other.bin").write_bytes(rng.randbytes(SIZE))
    crepo.add(["other.bin"])
    return crepo


def pack_files(repo: Repo) -> set[str]:
    return {p.name for p in Path(repo.odb.packs.packs_dir).iterdir()}


def damage_chunk(repo: Repo, oid: str, index: int = 3) -> bytes:
    """Flip bytes of one chunk of ``oid`` inside its pack; returns the chunk's digest."""
    digest, _ = repo.odb.chunks.load(oid).chunks[index]
    where = repo.odb.packs.locate(digest)
    assert where is not None
    path = Path(repo.odb.packs.path(where.pack))
    path.chmod(0o644)
    with open(path, "r+b") as handle:
        handle.seek(where.offset + 10)
        handle.write(b"bit rot")
    return digest


def test_gc_keeps_every_chunk_a_version_needs(versions: Repo) -> None:
    before = pack_files(versions)
    result = versions.gc()
    assert result.removed == [] and result.packs_removed == result.packs_rewritten == 0
    assert pack_files(versions) == before
    round_trip(versions, "ckpt.bin")


def test_gc_deletes_dead_packs_and_rewrites_mostly_dead_ones(versions: Repo) -> None:
    stored = versions.odb.packs.stored_bytes()
    Path(versions.root, "other.bin.nbvc").unlink()
    versions.history.prune(versions.history.versions("other.bin"))
    pruned = versions.gc(keep_last=1)
    assert pruned.packs_removed >= 1  # other.bin's pack had nothing else
    assert pruned.freed_bytes > SIZE
    assert versions.odb.packs.stored_bytes() < stored - SIZE
    assert [v.number for v in versions.history.versions("ckpt.bin")] == [3]
    round_trip(versions, "ckpt.bin")
    assert versions.fsck().ok


def test_dry_run_changes_nothing(versions: Repo) -> None:
    before = pack_files(versions)
    result = versions.gc(dry_run=True, keep_last=1)
    assert result.freed_bytes > 0
    assert pack_files(versions) == before
    round_trip(versions, "ckpt.bin")


def add_mostly_new_version(repo: Repo) -> None:
    """v4: the last quarter of v3 and new bytes before it, so v1's pack becomes mostly dead."""
    old = Path(repo.root, "ckpt.bin").read_bytes()
    fresh = random.Random(5).randbytes(3 * SIZE // 4)
    Path(repo.root, "ckpt.bin").write_bytes(fresh + old[3 * SIZE // 4 :])
    repo.add(["ckpt.bin"])


def test_a_repack_interrupted_before_its_packs_were_published_is_rolled_back(
    versions: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_mostly_new_version(versions)
    before = pack_files(versions)
    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(PackStore, "publish", _crash)
        versions.gc(keep_last=1)
    assert pack_files(versions) == before  # the temp packs are gone; nothing was deleted
    assert not any(Path(versions.odb.tmp_dir).glob("pack-*"))
    assert versions.gc(keep_last=1).packs_rewritten >= 1
    round_trip(versions, "ckpt.bin")


def test_a_repack_interrupted_before_the_old_packs_went_is_finished_by_the_next_gc(
    versions: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_mostly_new_version(versions)
    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(PackStore, "remove", _crash)
        versions.gc(keep_last=1)  # v1's pack is rewritten with the quarter v4 still uses
    round_trip(versions, "ckpt.bin")  # every live chunk is in a published pack (twice, now)
    stored = versions.odb.packs.stored_bytes()
    versions.gc()
    assert versions.odb.packs.stored_bytes() < stored  # the duplicates went
    round_trip(versions, "ckpt.bin")


def _crash(*_args: object, **_kwargs: object) -> None:
    raise KeyboardInterrupt


def test_gc_rechunk_converts_an_old_cache(repo: Repo) -> None:
    rng = random.Random(2)
    content = rng.randbytes(SIZE)
    set_config(Path(repo.root), "[cache]\nchunk_min_size = 0\n")  # an old cache: whole objects
    old = Repo.open(repo.root)
    for edit in range(3):
        Path(old.root, "model.bin").write_bytes(content[:1000] + bytes([edit]) + content[1001:])
        old.add(["model.bin"])
    Path(old.root, "small.txt").write_text("small")
    old.add(["small.txt"])
    old.close()
    new = chunked_repo(Path(repo.root))
    oids = [v.oid for v in new.history.versions("model.bin")]
    assert not any(new.odb.is_chunked(o) for o in oids)
    dry = new.gc(dry_run=True, rechunk=True)
    assert dry.rechunked is not None and len(dry.rechunked.converted) == 3
    assert not any(new.odb.is_chunked(o) for o in oids)
    result = new.gc(rechunk=True)
    assert result.rechunked is not None and sorted(result.rechunked.converted) == sorted(oids)
    assert all(new.odb.is_chunked(o) for o in oids)
    assert new.odb.packs.stored_bytes() < 1.3 * SIZE  # three copies became about one
    assert sorted(new.odb.iter_oids()) == sorted({*oids, *_other_oids(new)})
    round_trip(new, "model.bin")
    new.close()


def _other_oids(repo: Repo) -> set[str]:
    return {v.oid for v in repo.history.versions("small.txt")}


def test_fsck_reports_a_damaged_chunk_with_the_versions_using_it(versions: Repo) -> None:
    v1, v2 = (versions.history.by_number("ckpt.bin", n).oid for n in (1, 2))
    shared = set(versions.odb.chunks.load(v1).digests & versions.odb.chunks.load(v2).digests)
    index = next(i for i, (d, _) in enumerate(versions.odb.chunks.load(v1).chunks) if d in shared)
    digest = damage_chunk(versions, v1, index)
    result = versions.fsck()
    assert not result.ok
    (bad,) = result.bad_chunks
    assert bad.digest == digest.hex()
    assert {"ckpt.bin@v1", "ckpt.bin@v2"} <= set(bad.users)
    assert v1 in result.broken
    # the damaged chunk is gone from the packs (every good chunk kept): a clean second pass
    assert not versions.odb.packs.has(digest)
    second = versions.fsck()
    assert second.bad_chunks == [] and set(second.broken) == set(result.broken)
    with pytest.raises(MissingObjectError, match="nbvc pull"):
        versions.checkout("ckpt.bin@v1", force=True)
    versions.checkout("ckpt.bin@v3", force=True)  # untouched versions still work


def test_fsck_repairs_damaged_chunks_from_a_remote(versions: Repo, tmp_path: Path) -> None:
    remotes.add(versions, "backup", str(tmp_path / "backup"), {}, default=True)
    assert versions.push(all_versions=True).ok
    v1 = versions.history.by_number("ckpt.bin", 1).oid
    damage_chunk(versions, v1)
    manifest = Path(versions.odb.chunks.manifest_path(v1))
    result = versions.fsck(remote="backup")
    assert result.bad_chunks and v1 in result.repaired and result.ok
    assert manifest.exists()
    assert versions.fsck().ok
    round_trip(versions, "ckpt.bin")


def test_checkout_refuses_a_file_whose_chunk_is_damaged(versions: Repo) -> None:
    v3 = versions.history.by_number("ckpt.bin", 3).oid
    damage_chunk(versions, v3)
    Path(versions.root, "ckpt.bin").unlink()
    with pytest.raises(CorruptObjectError, match="nbvc fsck"):
        versions.checkout("ckpt.bin")
    assert not Path(versions.root, "ckpt.bin").exists()
    assert not list(Path(versions.root).glob("ckpt.bin.nbvc-tmp-*"))


def test_a_lost_pack_index_is_rebuilt_from_the_pack(versions: Repo) -> None:
    (idx,) = [p for p in Path(versions.odb.packs.packs_dir).glob("*.idx")][:1]
    idx.chmod(0o644)
    idx.unlink()
    result = versions.fsck()
    assert result.rebuilt_indexes == [idx.stem] and result.ok
    assert idx.exists()
    round_trip(versions, "ckpt.bin")


def test_gc_removes_leftovers_of_interrupted_pack_writes(versions: Repo) -> None:
    tmp = Path(versions.odb.tmp_dir, "pack-0123456789abcdef")
    tmp.write_bytes(b"half a pack")
    orphan = Path(versions.odb.packs.path("ab" * 32))
    orphan.write_bytes(b"a pack whose index never arrived")
    versions.gc()
    assert not tmp.exists() and not orphan.exists()
    assert all(
        p.suffix in (PACK_SUFFIX, ".idx") for p in Path(versions.odb.packs.packs_dir).iterdir()
    )


def test_push_refuses_to_send_a_damaged_chunk(versions: Repo, tmp_path: Path) -> None:
    remotes.add(versions, "backup", str(tmp_path / "backup"), {}, default=True)
    v3 = versions.history.by_number("ckpt.bin", 3).oid
    digest = damage_chunk(versions, v3)  # its pack's mtime moves: not trusted, so re-hashed
    where = versions.odb.packs.locate(digest)
    assert where is not None
    result = versions.push()
    assert not result.ok and [w.oid for w in result.corrupt] == [v3]
    assert not (tmp_path / "backup" / "objects" / v3[:2] / f"{v3[2:]}.chunks").exists()
    assert not (tmp_path / "backup" / "packs" / f"{where.pack}.pack").exists()
