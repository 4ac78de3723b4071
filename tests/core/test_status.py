from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nbvc.core.artifacts.status import DELETED, MODIFIED, NOT_IN_CACHE, UNCHANGED, ArtifactStatus
from nbvc.core.errors import NotTrackedError, PathError
from nbvc.core.repo import Repo
from tests.helpers import make_tree, pointer_of, write


def states(repo: Repo) -> dict[str, str]:
    return {s.artifact: s.state for s in repo.status()}


def only(statuses: list[ArtifactStatus]) -> ArtifactStatus:
    assert len(statuses) == 1
    return statuses[0]


@pytest.fixture
def tracked(repo: Repo) -> Repo:
    """A repo tracking a folder ``data`` and a file ``model.bin``."""
    make_tree(
        Path(repo.root, "data"),
        {"a.csv": "a", "b.csv": "b", "sub/c.csv": "c", "empty": None},
    )
    write(Path(repo.root, "model.bin"), "w1")
    repo.add(["data", "model.bin"])
    return repo


def test_unchanged(tracked: Repo) -> None:
    assert states(tracked) == {"data": UNCHANGED, "model.bin": UNCHANGED}
    status = only(tracked.status(["model.bin"]))
    assert status.in_cache
    assert status.version == 1
    assert status.workspace_oid == status.oid == pointer_of(tracked, "model.bin").oid


def test_modified_file(tracked: Repo) -> None:
    Path(tracked.root, "model.bin").write_text("w2", encoding="utf-8")
    status = only(tracked.status(["model.bin"]))
    assert status.state == MODIFIED
    assert status.workspace_oid != status.oid
    assert status.changes is None


def test_modified_folder_lists_the_files(tracked: Repo) -> None:
    data = Path(tracked.root, "data")
    (data / "a.csv").write_text("changed", encoding="utf-8")
    (data / "b.csv").unlink()
    write(data / "new" / "d.csv", "d")
    status = only(tracked.status(["data"]))
    assert status.state == MODIFIED
    assert status.changes is not None
    assert status.changes.added == ["new/d.csv"]
    assert status.changes.removed == ["b.csv"]
    assert status.changes.modified == ["a.csv"]
    assert status.to_json()["changes"] == {
        "added": ["new/d.csv"],
        "removed": ["b.csv"],
        "modified": ["a.csv"],
    }


def test_new_empty_folder_is_a_modification(tracked: Repo) -> None:
    Path(tracked.root, "data", "another_empty").mkdir()
    assert states(tracked)["data"] == MODIFIED


def test_deleted(tracked: Repo) -> None:
    shutil.rmtree(Path(tracked.root, "data"))
    Path(tracked.root, "model.bin").unlink()
    assert states(tracked) == {"data": DELETED, "model.bin": DELETED}
    assert only(tracked.status(["data"])).workspace_oid is None


def test_not_in_cache_for_a_file(tracked: Repo) -> None:
    tracked.odb.remove(pointer_of(tracked, "model.bin").oid)
    status = only(tracked.status(["model.bin"]))
    assert (status.state, status.in_cache) == (NOT_IN_CACHE, False)


def test_fresh_clone_has_pointers_but_no_cache(tracked: Repo, tmp_path: Path) -> None:
    """What a teammate sees after `git clone` + `nbvc init`: pointers, data, but no cache."""
    clone_root = tmp_path / "clone"
    clone_root.mkdir()
    for name in ("data", "data.nbvc", "model.bin.nbvc"):
        src = Path(tracked.root, name)
        copy = shutil.copytree if src.is_dir() else shutil.copy2
        copy(src, clone_root / name)
    with Repo.init(str(clone_root))[0] as clone:
        statuses = {s.artifact: s for s in clone.status()}
    assert (statuses["data"].state, statuses["data"].in_cache) == (NOT_IN_CACHE, False)
    assert statuses["model.bin"].state == DELETED
    assert not statuses["model.bin"].in_cache


def test_status_with_paths(tracked: Repo) -> None:
    assert [s.artifact for s in tracked.status(["model.bin.nbvc", "data/"])] == [
        "model.bin",
        "data",
    ]


def test_status_of_untracked_or_outside_paths(tracked: Repo) -> None:
    write(Path(tracked.root, "loose.txt"), "x")
    with pytest.raises(NotTrackedError, match=r"nbvc add loose\.txt"):
        tracked.status(["loose.txt"])
    with pytest.raises(PathError, match="outside"):
        tracked.status(["../x"])


def test_status_of_an_empty_repo(repo: Repo) -> None:
    assert repo.status() == []


def test_tracked_lists_pointers_but_not_inside_tracked_folders(tracked: Repo) -> None:
    write(Path(tracked.root, "nested", "deeper", "m.pt"), "w")
    tracked.add(["nested/deeper/m.pt"])
    Path(tracked.root, "nested", "deeper", "m.pt").unlink()
    assert tracked.tracked() == ["data", "model.bin", "nested/deeper/m.pt"]


def test_status_stores_nothing(tracked: Repo) -> None:
    before = set(tracked.odb.iter_oids())
    write(Path(tracked.root, "data", "new.csv"), "not added")
    Path(tracked.root, "model.bin").write_text("not added", encoding="utf-8")
    assert states(tracked) == {"data": MODIFIED, "model.bin": MODIFIED}
    assert set(tracked.odb.iter_oids()) == before


@pytest.mark.parametrize("change", ["chmod", "rename", "same_size_edit"])
def test_the_folder_fingerprint_sees_every_change(tracked: Repo, change: str) -> None:
    """After a status has recorded the folder's fingerprint, any change to a file's name, stat
    or executable bit makes the next status look again (no stale 'unchanged')."""
    import time

    time.sleep(0.1)  # past the racy window, so the fingerprint is trusted
    assert states(tracked)["data"] == UNCHANGED  # records the fingerprint
    assert states(tracked)["data"] == UNCHANGED  # answered from it
    data = Path(tracked.root, "data")
    if change == "chmod":
        (data / "a.csv").chmod(0o755)
    elif change == "rename":
        (data / "a.csv").rename(data / "a2.csv")
    else:
        (data / "a.csv").write_text("z", encoding="utf-8")  # same size, new mtime
    assert states(tracked)["data"] == MODIFIED
