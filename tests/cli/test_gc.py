from __future__ import annotations

from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from tests.conftest import Cli
from tests.helpers import write


@pytest.fixture
def three(cli: Cli, repo: Repo) -> Repo:
    for n in (1, 2, 3):
        write(Path(repo.root, "m"), f"model {n}")
        cli.ok("add", "m")
    return repo


def test_gc_removes_only_unreferenced_objects(cli: Cli, three: Repo) -> None:
    orphan = three.odb.add_bytes(b"orphan!")
    assert cli.ok("gc").strip() == "remove 1 object (7 B); 3 kept"
    assert not three.odb.exists(orphan)
    for n in (1, 2, 3):
        cli.ok("checkout", f"m@v{n}")


def test_dry_run(cli: Cli, three: Repo) -> None:
    before = set(three.odb.iter_oids())
    out = cli.ok("gc", "--dry-run", "--keep-last", "1")
    assert out.splitlines() == [
        "would prune m@v2",
        "would prune m@v1",
        "would remove 2 objects (14 B); 1 kept",
    ]
    assert set(three.odb.iter_oids()) == before
    assert len(three.log("m")) == 3


def test_keep_last_keeps_tagged_and_pointed_to(cli: Cli, three: Repo) -> None:
    cli.ok("tag", "m@v1", "prod")
    cli.ok("checkout", "m@v2")
    out = cli.ok("gc", "--keep-last", "1")
    assert out.strip() == "remove 0 objects (0 B); 3 kept"
    cli.ok("checkout", "m@v3")
    out = cli.ok("gc", "-n", "--keep-last", "1")
    assert out.splitlines()[0] == "would prune m@v2"
    cli.ok("gc", "--keep-last", "1")
    assert [v.name for v in three.log("m")] == ["v3", "v1"]
    cli.ok("checkout", "m@prod")
    assert Path(three.root, "m").read_text(encoding="utf-8") == "model 1"
    assert "not in the cache" in cli.error("checkout", "m@v2")  # pruned, gone locally


def test_gc_failures(cli: Cli, three: Repo) -> None:
    assert "at least 1" in cli.error("gc", "--keep-last", "0")
