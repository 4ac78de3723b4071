from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nbvc.core.artifacts.pointer import Pointer
from nbvc.core.artifacts.pointer import write as write_pointer
from nbvc.core.errors import NbvcError
from nbvc.core.repo import Repo
from tests.helpers import file_oids, make_tree, read_tree, write


def all_needed(repo: Repo) -> set[str]:
    """Every object that some non-pruned version needs."""
    needed: set[str] = set()
    for version in repo.history.all_versions():
        needed.add(version.oid)
        if version.kind == "dir":
            needed |= {m.oid for m in repo.workspace.load_tree(version.oid).files.values()}
    return needed


@pytest.fixture
def history3(repo: Repo) -> Repo:
    """``data`` v1..v3 sharing one file, ``m`` v1..v3."""
    data = Path(repo.root, "data")
    for n in (1, 2, 3):
        shutil.rmtree(data, ignore_errors=True)
        make_tree(data, {"shared.csv": "same in every version", f"only_v{n}.csv": str(n)})
        write(Path(repo.root, "m"), f"model {n}")
        repo.add(["data", "m"])
    return repo


def test_gc_keeps_every_version_by_default(history3: Repo) -> None:
    orphan = history3.odb.add_bytes(b"nobody needs me")
    before = set(history3.odb.iter_oids())
    result = history3.gc()
    assert result.removed == [orphan]
    assert result.freed_bytes == len(b"nobody needs me")
    assert set(history3.odb.iter_oids()) == before - {orphan}
    assert all_needed(history3) <= set(history3.odb.iter_oids())
    for n in (1, 2, 3):  # every version can still be restored
        history3.checkout(f"data@v{n}")
        history3.checkout(f"m@v{n}")
    assert history3.fsck().ok


def test_gc_keeps_objects_only_a_pointer_names(history3: Repo) -> None:
    """A pointer from a teammate (via git) whose version was never recorded here."""
    foreign = history3.odb.add_bytes(b"teammate's model")
    write_pointer(history3.abspath("theirs.bin"), Pointer(foreign, "file", 16, 1, None))
    assert foreign not in history3.gc().removed
    assert history3.odb.exists(foreign)


def test_dry_run_deletes_nothing(history3: Repo) -> None:
    orphan = history3.odb.add_bytes(b"orphan")
    before = set(history3.odb.iter_oids())
    result = history3.gc(dry_run=True, keep_last=1)
    assert result.dry_run
    assert result.removed and orphan in result.removed
    assert [f"{v.artifact}@{v.name}" for v in result.pruned]
    assert result.freed_bytes > 0
    assert set(history3.odb.iter_oids()) == before
    assert [v.name for v in history3.log("m")] == ["v3", "v2", "v1"]


def test_keep_last_prunes_old_versions(history3: Repo) -> None:
    v1_only = history3.history.by_number("m", 1).oid
    shared = file_oids(history3, "data")
    result = history3.gc(keep_last=1)
    assert sorted(f"{v.artifact}@{v.name}" for v in result.pruned) == [
        "data@v1",
        "data@v2",
        "m@v1",
        "m@v2",
    ]
    assert [v.name for v in history3.log("m")] == ["v3"]
    assert not history3.odb.exists(v1_only)
    assert shared <= set(history3.odb.iter_oids())  # the latest tree and the shared file stay
    assert history3.status(["data"])[0].state == "unchanged"
    assert history3.gc().removed == []  # idempotent


def test_keep_last_keeps_tagged_and_pointed_to_versions(history3: Repo) -> None:
    history3.tag("m@v1", "prod")
    history3.checkout("data@v2")
    result = history3.gc(keep_last=1)
    assert sorted(f"{v.artifact}@{v.name}" for v in result.pruned) == ["data@v1", "m@v2"]
    assert [v.name for v in history3.log("m")] == ["v3", "v1"]
    assert [v.name for v in history3.log("data")] == ["v3", "v2"]
    history3.checkout("m@prod")
    assert Path(history3.root, "m").read_text(encoding="utf-8") == "model 1"
    history3.checkout("data@v3")
    history3.checkout("data@v2")
    assert read_tree(Path(history3.root, "data"))["only_v2.csv"] == b"2"


def test_keep_last_must_be_positive(history3: Repo) -> None:
    with pytest.raises(NbvcError, match="at least 1"):
        history3.gc(keep_last=0)


def test_gc_never_deletes_a_referenced_object_when_the_workspace_is_gone(history3: Repo) -> None:
    needed = all_needed(history3)
    shutil.rmtree(Path(history3.root, "data"))
    Path(history3.root, "m").unlink()
    Path(history3.root, "m.nbvc").unlink()
    history3.gc()
    assert needed <= set(history3.odb.iter_oids())


def test_gc_waits_for_an_add_that_is_storing_objects(repo: Repo) -> None:
    """Objects stored by an add in progress are unreferenced until it records its version;
    gc must not collect them in that window."""
    import threading

    stored = repo.odb.add_bytes(b"stored by an add that has not recorded its version yet")
    finished = threading.Event()

    def collect() -> None:
        with Repo.open(repo.root) as other:
            other.gc()
        finished.set()

    with repo.storing():
        worker = threading.Thread(target=collect)
        worker.start()
        assert not finished.wait(0.5), "gc ran while an add was storing objects"
        assert repo.odb.exists(stored)
    worker.join(10)
    assert finished.is_set()
    assert not repo.odb.exists(stored)  # collected once the add was done (it recorded nothing)
