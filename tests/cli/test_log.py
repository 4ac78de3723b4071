from __future__ import annotations

import json
import time
from pathlib import Path

from nbvc.core.repo import Repo
from tests.conftest import AUTHOR, Cli
from tests.helpers import make_tree, write


def test_log_newest_first(cli: Cli, repo: Repo) -> None:
    for n in (1, 2, 3):
        write(Path(repo.root, "m"), "x" * n)
        cli.ok("add", "m", "-m", f"message {n}")
    cli.ok("tag", "m@v2", "prod")
    lines = cli.ok("log", "m").splitlines()
    header = ["version", "hash", "size", "files", "created", "tags", "message", "produced", "by"]
    assert lines[0].split() == header
    rows = lines[1:]
    assert [row.split()[0] for row in rows] == ["v3", "v2", "v1"]
    assert rows[0].split()[2:5] == ["3", "B", "1"]
    assert "prod" in rows[1] and "message 2" in rows[1]
    assert rows[2].rstrip().endswith("message 1")  # nothing produced it: an empty column


def test_log_json(cli: Cli, repo: Repo) -> None:
    make_tree(Path(repo.root, "d"), {"a": "1", "b": "22"})
    before = time.time()
    cli.ok("add", "d", "-m", "data", "-t", "first")
    write(Path(repo.root, "d", "c"), "333")
    cli.ok("add", "d")
    docs = json.loads(cli.ok("log", "d", "--json"))
    assert [d["version"] for d in docs] == ["v2", "v1"]
    v1 = docs[1]
    assert (v1["number"], v1["kind"], v1["size"], v1["files"]) == (1, "dir", 3, 2)
    assert (v1["message"], v1["tags"], v1["producer"]) == ("data", ["first"], None)
    assert v1["produced_by"] is None
    assert v1["author"] == AUTHOR
    assert v1["oid"].endswith(".dir")
    assert before - 1 <= v1["created"] <= time.time() + 1


def test_log_failures(cli: Cli, repo: Repo) -> None:
    assert "not tracked" in cli.error("log", "nothing")
    assert "outside" in cli.error("log", "../x")
