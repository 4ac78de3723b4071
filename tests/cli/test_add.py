from __future__ import annotations

import os
import re
from pathlib import Path

from nbvc.core.repo import Repo
from tests.conftest import Cli
from tests.helpers import make_tree, pointer_of, write

ADDED = re.compile(
    r"^(?P<artifact>.+): added (?P<version>v\d+) \((?P<what>.*), (?P<oid>[0-9a-f]{8})\)"
)


def test_add_a_file(cli: Cli, repo: Repo) -> None:
    write(Path(repo.root, "model.bin"), b"weights")
    out = cli.ok("add", "model.bin", "-m", "first model")
    match = ADDED.match(out)
    assert match, out
    assert (match["artifact"], match["version"], match["what"]) == ("model.bin", "v1", "7 B")
    assert pointer_of(repo, "model.bin").oid.startswith(match["oid"])
    assert repo.log("model.bin")[0].message == "first model"


def test_add_a_folder_tree_with_unicode_and_empty_dirs(cli: Cli, repo: Repo) -> None:
    make_tree(
        Path(repo.root, "données"),
        {"a/b/c/d.csv": "1", "été.txt": "2", "空/文件.bin": "3", "vide": None},
    )
    out = cli.ok("add", "données")
    assert out.startswith("données: added v1 (3 files, 3 B, ")
    tree = repo.workspace.load_tree(pointer_of(repo, "données").oid)
    assert sorted(tree.files) == ["a/b/c/d.csv", "été.txt", "空/文件.bin"]
    assert tree.empty_dirs == frozenset({"vide"})
    assert Path(repo.root, "données.nbvc").is_file()
    assert "/données" in Path(repo.root, ".gitignore").read_text(encoding="utf-8").splitlines()


def test_readd_unchanged_says_so(cli: Cli, repo: Repo) -> None:
    write(Path(repo.root, "m"), "x")
    cli.ok("add", "m")
    out = cli.ok("add", "m", "-m", "again")
    assert out.startswith("m: unchanged, still v1")
    assert [v.name for v in repo.log("m")] == ["v1"]


def test_tags_and_message(cli: Cli, repo: Repo) -> None:
    write(Path(repo.root, "m"), "x")
    out = cli.ok("add", "m", "--tag", "baseline", "-t", "prod", "--message", "tagged")
    assert out.rstrip().endswith("[baseline, prod]")
    version = repo.log("m")[0]
    assert (version.tags, version.message) == (("baseline", "prod"), "tagged")


def test_several_paths(cli: Cli, repo: Repo) -> None:
    write(Path(repo.root, "a"), "a")
    make_tree(Path(repo.root, "d"), {"x": "x"})
    lines = cli.ok("add", "a", "d").splitlines()
    assert [line.split(":")[0] for line in lines] == ["a", "d"]


def test_add_from_a_subfolder(cli: Cli, repo: Repo) -> None:
    write(Path(repo.root, "sub", "f.txt"), "f")
    os.chdir(Path(repo.root, "sub"))
    assert cli.ok("add", "f.txt").startswith("sub/f.txt: added v1")


def test_symlink_inside_followed_and_escape_refused(cli: Cli, repo: Repo, tmp_path: Path) -> None:
    root = Path(repo.root)
    write(root / "real.bin", "payload")
    make_tree(root / "d", {"x": "x"})
    (root / "d" / "inside").symlink_to(root / "real.bin")
    assert cli.ok("add", "d").startswith("d: added v1 (2 files")
    write(tmp_path / "outside.bin", "secret")
    (root / "d" / "escape").symlink_to(tmp_path / "outside.bin")
    err = cli.error("add", "d")
    assert "outside the repo" in err
    assert [v.name for v in repo.log("d")] == ["v1"]


def test_add_failures(cli: Cli, repo: Repo, tmp_path: Path) -> None:
    write(tmp_path / "outside.txt", "x")
    assert "does not exist" in cli.error("add", "nope.csv")
    assert "outside the nbvc repo" in cli.error("add", "../outside.txt")
    assert "outside the nbvc repo" in cli.error("add", str(tmp_path / "outside.txt"))
    assert "inside .nbvc/" in cli.error("add", ".nbvc")
    Path(repo.root, "link").symlink_to(tmp_path)
    assert "symlink" in cli.error("add", "link/outside.txt")
    assert list(repo.odb.iter_oids()) == []
    assert repo.tracked() == []


def test_add_inside_a_tracked_folder_is_refused(cli: Cli, repo: Repo) -> None:
    make_tree(Path(repo.root, "d"), {"x": "x"})
    cli.ok("add", "d")
    assert "nbvc add d" in cli.error("add", "d/x")
