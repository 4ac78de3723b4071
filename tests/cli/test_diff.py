from __future__ import annotations

import json
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from tests.conftest import Cli
from tests.helpers import make_tree


@pytest.fixture
def two(cli: Cli, repo: Repo) -> Repo:
    data = Path(repo.root, "data")
    make_tree(data, {"same": "s", "mod": "12", "gone": "x" * 2048})
    cli.ok("add", "data")
    (data / "gone").unlink()
    make_tree(data, {"mod": "12345", "new/file": "y" * 3000})
    cli.ok("add", "data")
    return repo


def test_diff_between_versions(cli: Cli, two: Repo) -> None:
    assert cli.ok("diff", "data@v1", "data@v2").splitlines() == [
        "data: v1 -> v2",
        "  added     new/file (2.9 KiB)",
        "  removed   gone (2.0 KiB)",
        "  modified  mod (2 B -> 5 B)",
    ]


def test_diff_against_the_workspace(cli: Cli, two: Repo) -> None:
    assert cli.ok("diff", "data").splitlines() == ["data: v2 -> workspace", "  no differences"]
    Path(two.root, "data", "same").write_text("ss", encoding="utf-8")
    assert "  modified  same (1 B -> 2 B)" in cli.ok("diff", "data").splitlines()
    assert "  removed   new/file (2.9 KiB)" in cli.ok("diff", "data@v2", "data@v1").splitlines()


def test_diff_json(cli: Cli, two: Repo) -> None:
    assert json.loads(cli.ok("diff", "data@v1", "data@v2", "--json")) == {
        "path": "data",
        "old": "v1",
        "new": "v2",
        "added": [{"path": "new/file", "size": 3000}],
        "removed": [{"path": "gone", "size": 2048}],
        "modified": [{"path": "mod", "old_size": 2, "new_size": 5}],
    }


def test_diff_failures(cli: Cli, two: Repo) -> None:
    assert "no version v3" in cli.error("diff", "data@v3", "data@v1")
    assert "not tracked" in cli.error("diff", "other")
    make_tree(Path(two.root), {"other": "o"})
    cli.ok("add", "other")
    assert "name one artifact" in cli.error("diff", "data@v1", "other@v1")
