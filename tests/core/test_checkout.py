from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Mapping
from pathlib import Path

import pytest

from nbvc.core.errors import (
    CorruptObjectError,
    MissingObjectError,
    NotTrackedError,
    RefError,
    UnsavedChangesError,
)
from nbvc.core.repo import Repo
from tests.helpers import corrupt_object, make_tree, pointer_of, read_tree, write

V1 = {
    "a.csv": "a1",
    "keep.csv": "same",
    "old/only_v1.csv": "x",
    "empty_v1": None,
    "nested/empty/v1": None,
}
V2 = {"a.csv": "a2-longer", "keep.csv": "same", "new/deep/only_v2.csv": "y"}


def set_folder(root: Path, files: Mapping[str, str | None]) -> None:
    shutil.rmtree(root, ignore_errors=True)
    make_tree(root, dict(files))


@pytest.fixture
def versions(repo: Repo) -> Repo:
    """``data`` with versions v1 and v2 (v2 in the workspace); ``m`` with v1 and v2."""
    data = Path(repo.root, "data")
    set_folder(data, V1)
    write(Path(repo.root, "m"), "m1")
    repo.add(["data", "m"])
    set_folder(data, V2)
    write(Path(repo.root, "m"), "m2")
    repo.add(["data", "m"])
    return repo


def expected(files: Mapping[str, str | None]) -> dict[str, bytes]:
    return {k: v.encode() for k, v in files.items() if v is not None}


def test_checkout_an_older_version_of_a_folder(versions: Repo) -> None:
    data = Path(versions.root, "data")
    result = versions.checkout("data@v1")
    assert read_tree(data) == expected(V1)
    assert (data / "empty_v1").is_dir()
    assert (data / "nested" / "empty" / "v1").is_dir()
    assert not (data / "new").exists()  # emptied folders are removed
    assert result.target.label == "v1"
    assert (result.written, result.deleted) == (2, 1)  # keep.csv was left alone
    assert pointer_of(versions, "data").version == 1
    assert {s.state for s in versions.status()} == {"unchanged"}


def test_checkout_back_and_forth(versions: Repo) -> None:
    versions.checkout("data@v1")
    versions.checkout("data@v2")
    assert read_tree(Path(versions.root, "data")) == expected(V2)
    assert sorted(os.listdir(Path(versions.root, "data"))) == ["a.csv", "keep.csv", "new"]
    assert {s.state for s in versions.status()} == {"unchanged"}
    versions.checkout("m@v1")
    assert Path(versions.root, "m").read_text(encoding="utf-8") == "m1"


def test_checkout_by_tag(versions: Repo) -> None:
    versions.tag("m@v1", "prod")
    assert versions.checkout("m@prod").target.label == "v1"
    assert Path(versions.root, "m").read_text(encoding="utf-8") == "m1"


def test_checkout_without_ref_restores_the_pointer(versions: Repo) -> None:
    shutil.rmtree(Path(versions.root, "data"))
    Path(versions.root, "m").unlink()
    assert versions.checkout("data").written == 3
    versions.checkout("m")
    assert read_tree(Path(versions.root, "data")) == expected(V2)
    assert Path(versions.root, "m").read_text(encoding="utf-8") == "m2"


def test_already_there_writes_nothing(versions: Repo) -> None:
    result = versions.checkout("data")
    assert not result.changed
    assert result.target.label == "v2"


def test_restore_a_deleted_file_in_a_folder(versions: Repo) -> None:
    Path(versions.root, "data", "a.csv").unlink()
    result = versions.checkout("data")
    assert (result.written, result.deleted) == (1, 0)
    assert read_tree(Path(versions.root, "data")) == expected(V2)


def test_unsaved_changes_are_never_overwritten(versions: Repo) -> None:
    data = Path(versions.root, "data")
    (data / "a.csv").write_text("precious", encoding="utf-8")
    with pytest.raises(UnsavedChangesError, match=r"a\.csv.*nbvc add data.*--force"):
        versions.checkout("data@v1")
    with pytest.raises(UnsavedChangesError):
        versions.checkout("data")  # back to the pointer's version loses it too
    assert (data / "a.csv").read_text(encoding="utf-8") == "precious"
    assert pointer_of(versions, "data").version == 2


def test_new_unsaved_file_blocks_checkout(versions: Repo) -> None:
    write(Path(versions.root, "data", "notes.txt"), "mine")
    with pytest.raises(UnsavedChangesError, match=r"notes\.txt"):
        versions.checkout("data@v1")
    assert Path(versions.root, "data", "notes.txt").exists()


def test_unsaved_single_file_blocks_checkout(versions: Repo) -> None:
    Path(versions.root, "m").write_text("edited", encoding="utf-8")
    with pytest.raises(UnsavedChangesError, match="nbvc add m"):
        versions.checkout("m@v1")
    assert Path(versions.root, "m").read_text(encoding="utf-8") == "edited"


def test_force_discards_unsaved_changes(versions: Repo) -> None:
    write(Path(versions.root, "data", "notes.txt"), "mine")
    Path(versions.root, "m").write_text("edited", encoding="utf-8")
    versions.checkout("data@v1", force=True)
    versions.checkout("m", force=True)
    assert read_tree(Path(versions.root, "data")) == expected(V1)
    assert Path(versions.root, "m").read_text(encoding="utf-8") == "m2"


def test_changes_saved_as_a_version_do_not_block(versions: Repo) -> None:
    Path(versions.root, "m").write_text("m3", encoding="utf-8")
    versions.add(["m"])
    versions.checkout("m@v1")
    assert Path(versions.root, "m").read_text(encoding="utf-8") == "m1"


def test_file_and_folder_swap(repo: Repo) -> None:
    root = Path(repo.root)
    write(root / "x", "a file")
    repo.add(["x"])
    (root / "x").unlink()
    make_tree(root / "x", {"inner/f": "a folder"})
    repo.add(["x"])
    repo.checkout("x@v1")
    assert (root / "x").read_text(encoding="utf-8") == "a file"
    repo.checkout("x@v2")
    assert read_tree(root / "x") == {"inner/f": b"a folder"}
    (root / "x" / "inner" / "f").write_text("unsaved", encoding="utf-8")
    with pytest.raises(UnsavedChangesError):
        repo.checkout("x@v1")
    assert (root / "x" / "inner" / "f").read_text(encoding="utf-8") == "unsaved"


def test_executable_bit_is_restored(repo: Repo) -> None:
    root = Path(repo.root)
    make_tree(root / "tools", {"run.sh": "#!/bin/sh\n", "data.txt": "d"})
    (root / "tools" / "run.sh").chmod(0o755)
    repo.add(["tools"])
    shutil.rmtree(root / "tools")
    repo.checkout("tools")
    assert os.access(root / "tools" / "run.sh", os.X_OK)
    assert not (root / "tools" / "data.txt").stat().st_mode & stat.S_IXUSR


def test_checkout_of_a_version_without_a_pointer(versions: Repo) -> None:
    Path(versions.root, "m.nbvc").unlink()
    versions.checkout("m@v1")
    assert pointer_of(versions, "m").version == 1


def test_untracked_and_bad_refs(versions: Repo) -> None:
    write(Path(versions.root, "loose"), "x")
    with pytest.raises(NotTrackedError):
        versions.checkout("loose")
    with pytest.raises(RefError, match="nbvc log m"):
        versions.checkout("m@v99")
    with pytest.raises(RefError):
        versions.checkout("m@nosuchtag")
    assert Path(versions.root, "m").read_text(encoding="utf-8") == "m2"


def test_missing_object_is_refused(versions: Repo) -> None:
    v1 = versions.history.by_number("m", 1).oid
    versions.odb.remove(v1)
    with pytest.raises(MissingObjectError, match="not in the cache"):
        versions.checkout("m@v1")
    assert Path(versions.root, "m").read_text(encoding="utf-8") == "m2"
    assert pointer_of(versions, "m").version == 2


def test_corrupt_object_is_refused_and_quarantined(versions: Repo) -> None:
    v1 = versions.history.by_number("m", 1).oid
    corrupt_object(versions, v1, b"XX")
    with pytest.raises(CorruptObjectError, match="quarantined"):
        versions.checkout("m@v1")
    assert not versions.odb.exists(v1)
    assert Path(versions.root, "m").read_text(encoding="utf-8") == "m2"
    assert pointer_of(versions, "m").version == 2
    assert not [p for p in os.listdir(versions.root) if "nbvc-tmp" in p]


def test_corrupt_tree_is_refused(versions: Repo) -> None:
    tree_oid = versions.history.by_number("data", 1).oid
    corrupt_object(versions, tree_oid, b"{}")
    with pytest.raises(CorruptObjectError):
        versions.checkout("data@v1")
    assert read_tree(Path(versions.root, "data")) == expected(V2)
