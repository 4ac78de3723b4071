from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from tests.conftest import Cli
from tests.helpers import (
    commit_all,
    corrupt_object,
    is_read_only,
    make_tree,
    object_path,
    read_tree,
    set_link_types,
    write,
)


@pytest.fixture
def two(cli: Cli, repo: Repo) -> Repo:
    """``data`` and ``m`` with versions v1 and v2, v2 in the workspace."""
    root = Path(repo.root)
    make_tree(root / "data", {"a": "a1", "b": "b"})
    write(root / "m", "m1")
    cli.ok("add", "data", "m", "-m", "one")
    make_tree(root / "data", {"a": "a2", "c/d": "d"})
    write(root / "m", "m2")
    cli.ok("add", "data", "m", "-m", "two")
    return repo


def test_checkout_versions(cli: Cli, two: Repo) -> None:
    assert cli.ok("checkout", "data@v1").strip() == "data: restored v1 (1 written, 1 removed)"
    assert read_tree(Path(two.root, "data")) == {"a": b"a1", "b": b"b"}
    assert cli.ok("checkout", "data@v1").strip() == "data: already at v1"
    out = cli.ok("checkout", "data@v2", "m@v1")
    assert out.splitlines() == [
        "data: restored v2 (2 written, 0 removed)",
        "m: restored v1 (1 written, 0 removed)",
    ]
    assert Path(two.root, "m").read_text(encoding="utf-8") == "m1"


def test_checkout_tag(cli: Cli, two: Repo) -> None:
    cli.ok("tag", "m@v1", "prod")
    assert "restored v1" in cli.ok("checkout", "m@prod")
    assert Path(two.root, "m").read_text(encoding="utf-8") == "m1"


def test_restore_deleted_files(cli: Cli, two: Repo) -> None:
    shutil.rmtree(Path(two.root, "data"))
    Path(two.root, "m").unlink()
    cli.ok("checkout", "data", "m.nbvc")
    assert read_tree(Path(two.root, "data")) == {"a": b"a2", "b": b"b", "c/d": b"d"}
    assert Path(two.root, "m").read_text(encoding="utf-8") == "m2"


def test_refuses_unsaved_changes_until_forced(cli: Cli, two: Repo) -> None:
    Path(two.root, "m").write_text("precious", encoding="utf-8")
    err = cli.error("checkout", "m@v1")
    assert "not saved in nbvc" in err
    assert "nbvc add m" in err
    assert "--force" in err
    assert Path(two.root, "m").read_text(encoding="utf-8") == "precious"
    cli.ok("checkout", "--force", "m@v1")
    assert Path(two.root, "m").read_text(encoding="utf-8") == "m1"


def test_file_and_folder_type_changes(cli: Cli, repo: Repo) -> None:
    root = Path(repo.root)
    write(root / "x", "file")
    cli.ok("add", "x")
    (root / "x").unlink()
    make_tree(root / "x", {"y": "folder"})
    cli.ok("add", "x")
    cli.ok("checkout", "x@v1")
    assert (root / "x").is_file()
    cli.ok("checkout", "x@v2")
    assert read_tree(root / "x") == {"y": b"folder"}


@pytest.mark.parametrize("link_type", ["hardlink", "symlink", "copy"])
def test_link_types_from_config(cli: Cli, two: Repo, link_type: str) -> None:
    root = Path(two.root)
    set_link_types(root, link_type)
    shutil.rmtree(root / "data")
    cli.ok("checkout", "data")
    workspace_file = root / "data" / "a"
    v2_tree = two.workspace.load_tree(two.log("data")[0].oid)
    cached = object_path(two, v2_tree.files["a"].oid)
    assert workspace_file.read_text(encoding="utf-8") == "a2"
    assert workspace_file.is_symlink() == (link_type == "symlink")
    assert os.path.samefile(workspace_file, cached) == (link_type != "copy")
    assert is_read_only(cached)
    assert "unchanged" in cli.ok("status", "data")


def test_hardlinked_file_is_replaced_not_written_through(cli: Cli, two: Repo) -> None:
    root = Path(two.root)
    set_link_types(root, "hardlink")
    cli.ok("checkout", "m@v1")
    v1_object = object_path(two, two.history.by_number("m", 1).oid)
    assert os.path.samefile(root / "m", v1_object)
    cli.ok("checkout", "m@v2")
    assert (root / "m").read_text(encoding="utf-8") == "m2"
    assert v1_object.read_text(encoding="utf-8") == "m1"
    assert "all intact" in cli.ok("fsck")


def test_checkout_git_revisions(cli: Cli, git_repo: Repo) -> None:
    root = Path(git_repo.root)
    write(root / "model.bin", "first")
    cli.ok("add", "model.bin")
    commit_all(root, "first model")
    write(root / "model.bin", "second")
    cli.ok("add", "model.bin")
    commit_all(root, "second model")
    assert "restored v1" in cli.ok("checkout", "model.bin@HEAD~1")
    assert (root / "model.bin").read_text(encoding="utf-8") == "first"
    assert "restored v2" in cli.ok("checkout", "model.bin@HEAD")
    err = cli.error("checkout", "model.bin@no-such-branch")
    assert "nor a git revision" in err
    assert "nbvc log model.bin" in err


def test_checkout_failures(cli: Cli, two: Repo) -> None:
    assert "no version v9" in cli.error("checkout", "m@v9")
    assert "empty reference" in cli.error("checkout", "m@")
    assert "not tracked" in cli.error("checkout", "nothing")
    assert "outside" in cli.error("checkout", "../m@v1")
    assert Path(two.root, "m").read_text(encoding="utf-8") == "m2"


def test_corrupt_object_is_refused(cli: Cli, two: Repo) -> None:
    corrupt_object(two, two.history.by_number("m", 1).oid)
    assert "corrupt" in cli.error("checkout", "m@v1")
    assert "not in the cache" in cli.error("checkout", "m@v1")  # now quarantined
    assert Path(two.root, "m").read_text(encoding="utf-8") == "m2"
