from __future__ import annotations

from pathlib import Path

from nbvc.core.repo import Repo
from tests.conftest import Cli
from tests.helpers import corrupt_object, make_tree, pointer_of


def test_fsck_clean(cli: Cli, repo: Repo) -> None:
    make_tree(Path(repo.root, "d"), {"a": "1", "b": "2"})
    cli.ok("add", "d")
    assert cli.ok("fsck").strip() == "3 objects checked, all intact"


def test_fsck_finds_quarantines_and_checkout_refuses(cli: Cli, repo: Repo) -> None:
    make_tree(Path(repo.root, "d"), {"a": "1", "b": "2"})
    cli.ok("add", "d")
    tree = repo.workspace.load_tree(pointer_of(repo, "d").oid)
    bad = tree.files["a"].oid
    corrupt_object(repo, bad)
    result = cli("fsck")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith(f"corrupt: {bad} (moved to ")
    assert lines[1].startswith("3 objects checked, 1 corrupt")
    assert Path(lines[0].split("moved to ")[1].rstrip(")")).is_file()
    assert "not in cache" in cli.ok("status", "d")
    Path(repo.root, "d", "a").unlink()
    assert "not in the cache" in cli.error("checkout", "d")
    assert cli("fsck").code == 0
