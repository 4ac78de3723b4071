"""What a careless user does to a repo, and nbvc losing nothing over it: a FIFO or a symlink in a
folder a checkout replaces, a pointer whose type disagrees with its oid, a file name with a line
break, a file of their own named ``x.nbvc``."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from tests.conftest import Cli
from tests.helpers import git, make_tree, read_tree, write


@pytest.fixture
def file_then_folder(cli: Cli, repo: Repo) -> Path:
    """``thing`` was a file (v1) and is now a folder (v2) holding a FIFO and symlinks."""
    root = Path(repo.root)
    write(root / "thing", "a file once")
    cli.ok("add", "thing")
    (root / "thing").unlink()
    make_tree(root / "thing", {"a.txt": "a"})
    cli.ok("add", "thing")
    write(root / "elsewhere.txt", "the target of a symlink")
    cli.ok("add", "elsewhere.txt")  # its content is saved: the link itself is what is at risk
    os.mkfifo(root / "thing" / "pipe")
    (root / "thing" / "link").symlink_to(root / "elsewhere.txt")
    (root / "thing" / "dead").symlink_to(root / "nowhere")
    return root


def test_checkout_of_a_file_over_a_folder_keeps_a_fifo_and_symlinks(
    cli: Cli, file_then_folder: Path
) -> None:
    root = file_then_folder
    err = cli.error("checkout", "thing@v1")
    assert "a FIFO pipe" in err and "a symlink link" in err and "a dangling symlink dead" in err
    assert "--force" in err
    assert (root / "thing" / "pipe").exists() and (root / "thing" / "link").is_symlink()
    assert os.path.islink(root / "thing" / "dead")
    cli.ok("checkout", "--force", "thing@v1")
    assert (root / "thing").read_text() == "a file once"
    assert (root / "elsewhere.txt").read_text() == "the target of a symlink"


def test_checkout_of_a_folder_keeps_a_symlink_it_would_write_over(cli: Cli, repo: Repo) -> None:
    root = Path(repo.root)
    make_tree(root / "data", {"a.txt": "1", "b.txt": "1"})
    cli.ok("add", "data")
    write(root / "data" / "b.txt", "2")
    cli.ok("add", "data")
    write(root / "other.txt", "2")
    (root / "data" / "b.txt").unlink()
    (root / "data" / "b.txt").symlink_to(root / "other.txt")  # same content as v2's b.txt
    cli.ok("checkout", "data@v2")  # nothing to write: the link stays
    assert (root / "data" / "b.txt").is_symlink()
    err = cli.error("checkout", "data@v1")  # would replace the link by a file
    assert "a symlink b.txt" in err
    assert (root / "data" / "b.txt").is_symlink()


def test_add_says_what_it_leaves_out(cli: Cli, file_then_folder: Path) -> None:
    result = cli("add", "thing")
    assert result.code == 0
    assert "nbvc: note: thing: left out" in result.err
    assert "a FIFO thing/pipe" in result.err and "a dangling symlink thing/dead" in result.err
    assert "thing/link" not in result.err  # a symlink's content is versioned


def test_a_pointer_whose_type_disagrees_with_its_oid_is_an_error_not_a_quarantine(
    cli: Cli, repo: Repo
) -> None:
    root = Path(repo.root)
    make_tree(root / "data", {"a.txt": "a"})
    write(root / "model.bin", "weights")
    cli.ok("add", "data", "model.bin")
    manifest = repo.history.latest("data")
    assert manifest is not None
    pointer_text = (root / "data.nbvc").read_text()
    (root / "data.nbvc").write_text(pointer_text.replace("type: dir", "type: file"))
    err = cli.error("checkout", "--force", "data")
    assert "data.nbvc says type: file but its oid is a folder's" in err
    assert repo.odb.exists(manifest.oid)  # the good manifest was not quarantined
    assert not Path(repo.odb.quarantine_dir).exists() or os.listdir(repo.odb.quarantine_dir) == []
    model_text = (root / "model.bin.nbvc").read_text()
    (root / "model.bin.nbvc").write_text(model_text.replace("type: file", "type: dir"))
    err = cli.error("status", "model.bin")
    assert "model.bin.nbvc says type: dir but its oid is a file's" in err
    assert "fsck" not in cli.ok("fsck") or "intact" in cli.ok("fsck")


@pytest.mark.parametrize("name", ["two\nlines.csv", "carriage\rreturn.csv", "ends-in-newline\n"])
def test_a_file_name_with_a_line_break_gets_one_gitignore_line(
    cli: Cli, git_repo: Repo, name: str
) -> None:
    root = Path(git_repo.root)
    write(root / "sub" / name, "data")
    write(root / "sub" / "lines.csv", "a file the broken pattern would have ignored")
    cli.ok("add", os.path.join("sub", name))
    cli.ok("add", os.path.join("sub", name))  # again: no second line
    text = (root / "sub" / ".gitignore").read_text()
    assert text.count("\n") == 1 and text.startswith("/")
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "--no-index", os.path.join("sub", name)],
        cwd=root,
        check=False,
    )
    assert ignored.returncode == 0
    other = subprocess.run(
        ["git", "check-ignore", "-q", "--no-index", "sub/lines.csv"], cwd=root, check=False
    )
    assert other.returncode == 1  # not ignored
    untracked = git(root, "status", "--porcelain", "--untracked-files=all")
    assert "sub/lines.csv" in untracked


def test_a_file_of_the_users_named_x_nbvc_is_not_a_pointer(cli: Cli, repo: Repo) -> None:
    root = Path(repo.root)
    write(root / "x.nbvc", "my notes about x, not a pointer\n")
    write(root / "x", "x itself")
    write(root / "m", "m")
    cli.ok("add", "m")
    assert "m" in cli.ok("status")
    gc = cli("gc")
    assert gc.code == 0, gc.err
    err = cli.error("add", "x")
    assert "x.nbvc is not an nbvc pointer file" in err
    assert (root / "x.nbvc").read_text() == "my notes about x, not a pointer\n"
    make_tree(root / "folder", {"y": "y", "y.nbvc": "my notes about y"})
    assert "added v1" in cli.ok("add", "folder")  # a folder holding such a file can be added
    shutil.rmtree(root / "folder")
    cli.ok("checkout", "folder")
    assert read_tree(root / "folder") == {"y": b"y", "y.nbvc": b"my notes about y"}
