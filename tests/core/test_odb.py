from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from blake3 import blake3

from nbvc.core.errors import CorruptObjectError, MissingObjectError
from nbvc.core.storage import odb as odb_module
from nbvc.core.storage.hashing import BIG_FILE
from nbvc.core.storage.odb import ObjectStore
from tests.helpers import is_read_only, write


@pytest.fixture
def store(tmp_path: Path) -> ObjectStore:
    objects, tmp, quarantine = (tmp_path / name for name in ("objects", "tmp", "quarantine"))
    tmp.mkdir()
    return ObjectStore(str(objects), str(tmp), str(quarantine))


def test_add_file_stores_content_under_its_hash(store: ObjectStore, tmp_path: Path) -> None:
    src = write(tmp_path / "data.csv", b"a,b\n1,2\n")
    stored = store.add_file(str(src))
    assert stored.oid == blake3(b"a,b\n1,2\n").hexdigest()
    assert stored.size == 8
    assert stored.ino == src.stat().st_ino
    assert store.path(stored.oid) == os.path.join(store.objects_dir, stored.oid[:2], stored.oid[2:])
    assert Path(store.path(stored.oid)).read_bytes() == b"a,b\n1,2\n"
    assert store.exists(stored.oid)
    assert list(store.iter_oids()) == [stored.oid]


def test_big_file_is_stored_and_named_by_its_blake3(store: ObjectStore, tmp_path: Path) -> None:
    data = os.urandom(BIG_FILE + 12345)
    stored = store.add_file(str(write(tmp_path / "model.bin", data)))
    assert stored.oid == blake3(data).hexdigest()
    assert Path(store.path(stored.oid)).read_bytes() == data


def test_objects_are_read_only(store: ObjectStore, tmp_path: Path) -> None:
    file_oid = store.add_file(str(write(tmp_path / "f", b"x"))).oid
    tree_oid = store.add_bytes(b"{}", suffix=".dir")
    for oid in (file_oid, tree_oid):
        assert is_read_only(Path(store.path(oid)))


def test_identical_content_is_stored_once(store: ObjectStore, tmp_path: Path) -> None:
    first = store.add_file(str(write(tmp_path / "a", b"same")))
    second = store.add_file(str(write(tmp_path / "b/c", b"same")))
    assert first.oid == second.oid
    assert store.add_bytes(b"same") == first.oid
    assert list(store.iter_oids()) == [first.oid]


def test_add_leaves_no_temp_files(store: ObjectStore, tmp_path: Path) -> None:
    store.add_file(str(write(tmp_path / "a", b"one")))
    store.add_bytes(b"two")
    store.add_bytes(b"two")
    assert os.listdir(store.tmp_dir) == []


def test_failed_add_leaves_neither_object_nor_temp_file(
    store: ObjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = write(tmp_path / "f", b"0123456789")

    def fail_half_way(src_fd: int, dst_fd: int) -> str:
        os.write(dst_fd, os.read(src_fd, 5))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(odb_module, "copy_hashing", fail_half_way)
    with pytest.raises(OSError, match="No space left"):
        store.add_file(str(src))
    assert list(store.iter_oids()) == []
    assert os.listdir(store.tmp_dir) == []


def test_add_bytes_with_suffix_names_a_tree(store: ObjectStore) -> None:
    oid = store.add_bytes(b'{"files":[]}', suffix=".dir")
    assert oid == blake3(b'{"files":[]}').hexdigest() + ".dir"
    assert store.read_bytes(oid) == b'{"files":[]}'


def test_read_bytes_detects_corruption_and_quarantines(store: ObjectStore) -> None:
    oid = store.add_bytes(b"manifest", suffix=".dir")
    path = Path(store.path(oid))
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(CorruptObjectError, match="quarantined"):
        store.read_bytes(oid)
    assert not store.exists(oid)
    assert (Path(store.quarantine_dir) / oid).read_bytes() == b"tampered"


def test_read_bytes_of_missing_object(store: ObjectStore) -> None:
    with pytest.raises(MissingObjectError, match="not in the cache"):
        store.read_bytes("0" * 64)


def test_verify(store: ObjectStore, tmp_path: Path) -> None:
    file_oid = store.add_file(str(write(tmp_path / "f", b"data"))).oid
    tree_oid = store.add_bytes(b"tree", suffix=".dir")
    assert store.verify(file_oid)
    assert store.verify(tree_oid)
    for oid in (file_oid, tree_oid):
        Path(store.path(oid)).chmod(0o644)
        Path(store.path(oid)).write_bytes(b"other")
        assert not store.verify(oid)


def test_iter_oids_ignores_foreign_files(store: ObjectStore) -> None:
    oid = store.add_bytes(b"x")
    write(Path(store.objects_dir) / oid[:2] / "not-an-oid", b"junk")
    write(Path(store.objects_dir) / "README", b"junk")
    assert list(store.iter_oids()) == [oid]


def test_remove_deletes_read_only_objects(store: ObjectStore) -> None:
    oid = store.add_bytes(b"12345")
    assert store.size(oid) == 5
    assert store.remove(oid) == 5
    assert not store.exists(oid)
    assert store.remove(oid) == 0


def test_oid_from_path(store: ObjectStore) -> None:
    oid = store.add_bytes(b"x")
    assert store.oid_from_path(store.path(oid)) == oid
    assert store.oid_from_path("/elsewhere/ab/" + oid[2:]) is None
    assert store.oid_from_path(os.path.join(store.objects_dir, "ab", "cd")) is None


def test_staged_objects_appear_only_when_committed(store: ObjectStore, tmp_path: Path) -> None:
    staged = [store.stage_file(str(write(tmp_path / name, name))) for name in ("a", "b", "a2")]
    assert list(store.iter_oids()) == []
    assert all(not store.exists(s.stored.oid) for s in staged)
    store.commit(staged[:2])
    assert sorted(store.iter_oids()) == sorted(s.stored.oid for s in staged[:2])
    assert all(is_read_only(Path(store.path(s.stored.oid))) for s in staged[:2])
    store.discard(staged[2:])
    assert os.listdir(store.tmp_dir) == []
    duplicate = store.stage_file(str(tmp_path / "a"))
    store.commit([duplicate])  # already there: the temp copy is dropped
    assert os.listdir(store.tmp_dir) == []
    assert Path(store.path(duplicate.stored.oid)).read_bytes() == b"a"


def test_many_staged_objects_commit_together(store: ObjectStore, tmp_path: Path) -> None:
    staged = [store.stage_file(str(write(tmp_path / f"f{i}", f"content {i}"))) for i in range(40)]
    store.commit(staged)
    assert len(list(store.iter_oids())) == 40
    assert os.listdir(store.tmp_dir) == []


def test_failed_add_bytes_leaves_no_temp_file(
    store: ObjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(staged: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "commit", no_space)
    with pytest.raises(OSError, match="No space left"):
        store.add_bytes(b"manifest", suffix=".dir")
    assert os.listdir(store.tmp_dir) == []


def test_missing(store: ObjectStore) -> None:
    present = store.add_bytes(b"here")
    absent = "f" * 64
    with ThreadPoolExecutor(2) as pool:
        assert store.missing([present, absent, absent], pool) == [absent]
        assert store.missing([], pool) == []


def test_drop_stored_discards_copies_of_stored_objects_and_commit_trusts_the_rest(
    store: ObjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_file(str(write(tmp_path / "old", "old")))
    staged = [store.stage_file(str(write(tmp_path / name, name))) for name in ("old", "new")]
    fresh = store.drop_stored(staged)  # on a worker thread, in add
    assert [s.stored.oid for s in fresh] == [staged[1].stored.oid]
    assert not os.path.exists(staged[0].tmp)  # the duplicate's copy is gone already
    checks: list[str] = []

    def counting_exists(oid: str) -> bool:
        checks.append(oid)
        return False

    monkeypatch.setattr(store, "exists", counting_exists)
    store.commit(fresh)
    assert checks == []  # checked once, by drop_stored
    assert Path(store.path(staged[1].stored.oid)).read_bytes() == b"new"
    assert os.listdir(store.tmp_dir) == []
