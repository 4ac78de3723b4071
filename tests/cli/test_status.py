from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from tests.conftest import Cli
from tests.helpers import make_tree, pointer_of, write


@pytest.fixture
def tracked(cli: Cli, repo: Repo) -> Repo:
    make_tree(Path(repo.root, "data"), {"a.csv": "a", "b.csv": "b"})
    write(Path(repo.root, "model.bin"), "m")
    cli.ok("add", "data", "model.bin")
    return repo


def line_of(out: str, artifact: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith(artifact + " "))


def test_all_unchanged(cli: Cli, tracked: Repo) -> None:
    out = cli.ok("status")
    assert line_of(out, "data") == ["data", "v1", "unchanged"]
    assert line_of(out, "model.bin") == ["model.bin", "v1", "unchanged"]
    assert cli("status", "--exit-code").code == 0


def test_modified_with_file_lists(cli: Cli, tracked: Repo) -> None:
    data = Path(tracked.root, "data")
    (data / "a.csv").write_text("changed", encoding="utf-8")
    (data / "b.csv").unlink()
    write(data / "c.csv", "new")
    out = cli.ok("status")
    assert line_of(out, "data") == ["data", "v1", "modified"]
    assert "    added:     c.csv" in out
    assert "    removed:   b.csv" in out
    assert "    modified:  a.csv" in out


def test_many_changes_are_summarised(cli: Cli, tracked: Repo) -> None:
    for i in range(25):
        write(Path(tracked.root, "data", f"new{i:02}.csv"), str(i))
    out = cli.ok("status", "data")
    assert out.count("added:") == 20
    assert "... and 5 more (`nbvc diff data` lists all)" in out


def test_deleted_and_not_in_cache(cli: Cli, tracked: Repo) -> None:
    shutil.rmtree(Path(tracked.root, "data"))
    tracked.odb.remove(pointer_of(tracked, "model.bin").oid)
    out = cli.ok("status")
    assert line_of(out, "data") == ["data", "v1", "deleted"]
    assert line_of(out, "model.bin") == ["model.bin", "v1", "not", "in", "cache"]


def test_exit_code_flag(cli: Cli, tracked: Repo) -> None:
    Path(tracked.root, "model.bin").write_text("changed", encoding="utf-8")
    assert cli("status").code == 0
    assert cli("status", "--exit-code").code == 1
    assert cli("status", "--exit-code", "data").code == 0


def test_json(cli: Cli, tracked: Repo) -> None:
    (Path(tracked.root, "data") / "a.csv").write_text("changed", encoding="utf-8")
    docs = json.loads(cli.ok("status", "--json"))
    by_path = {doc["path"]: doc for doc in docs}
    assert by_path["data"]["state"] == "modified"
    assert by_path["data"]["type"] == "dir"
    assert by_path["data"]["version"] == 1
    assert by_path["data"]["changes"] == {"added": [], "removed": [], "modified": ["a.csv"]}
    assert by_path["model.bin"] == {
        "path": "model.bin",
        "state": "unchanged",
        "type": "file",
        "oid": pointer_of(tracked, "model.bin").oid,
        "workspace_oid": pointer_of(tracked, "model.bin").oid,
        "in_cache": True,
        "version": 1,
    }


def test_nothing_tracked(cli: Cli, repo: Repo) -> None:
    assert "No tracked artifacts" in cli.ok("status")
    assert json.loads(cli.ok("status", "--json")) == []


def test_status_failures(cli: Cli, tracked: Repo) -> None:
    write(Path(tracked.root, "loose"), "x")
    assert "nbvc add loose" in cli.error("status", "loose")
    assert "outside" in cli.error("status", "/etc")
    Path(tracked.root, "model.bin.nbvc").write_text("broken\n", encoding="utf-8")
    assert "model.bin.nbvc" in cli.error("status")
