from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from nbvc.core.artifacts.history import History, Version
from nbvc.core.errors import RefError
from nbvc.core.repo import Repo

OIDS = [c * 64 for c in "0123456789"]


def record(history: History, artifact: str, oid: str, message: str = "") -> Version:
    return history.record_version(artifact, oid, "file", 10, 1, "Ada", message)


def test_versions_are_numbered_per_artifact_newest_first(repo: Repo) -> None:
    history = repo.history
    with repo.lock():
        v1 = record(history, "model.bin", OIDS[0], "first")
        record(history, "data", OIDS[1])
        v2 = record(history, "model.bin", OIDS[2], "second")
    assert (v1.number, v2.number) == (1, 2)
    assert [v.name for v in history.versions("model.bin")] == ["v2", "v1"]
    assert [v.name for v in history.versions("data")] == ["v1"]
    latest = history.latest("model.bin")
    assert latest is not None
    assert (latest.oid, latest.message, latest.author) == (OIDS[2], "second", "Ada")
    assert history.latest("unknown") is None
    assert history.artifacts() == ["data", "model.bin"]
    assert history.by_oid("model.bin", OIDS[0]) == v1


def test_missing_version_number_is_a_ref_error(repo: Repo) -> None:
    with repo.lock():
        record(repo.history, "m", OIDS[0])
    with pytest.raises(RefError, match=r"no version v7.*nbvc log m"):
        repo.history.by_number("m", 7)


def test_tags_move(repo: Repo) -> None:
    history = repo.history
    with repo.lock():
        v1 = record(history, "m", OIDS[0])
        v2 = record(history, "m", OIDS[1])
        history.set_tag(v1, "prod")
        history.set_tag(v1, "baseline")
    assert history.by_tag("m", "prod") == history.by_number("m", 1)
    assert history.by_number("m", 1).tags == ("baseline", "prod")
    with repo.lock():
        history.set_tag(v2, "prod")
    assert history.by_tag("m", "prod") == history.by_number("m", 2)
    assert history.by_number("m", 1).tags == ("baseline",)
    assert history.by_number("m", 2).tags == ("prod",)
    assert history.by_tag("m", "nope") is None
    assert history.by_tag("other", "prod") is None
    assert history.tagged_version_ids() == {v1.id, v2.id}


def test_pruned_versions_are_hidden_but_still_resolvable(repo: Repo) -> None:
    history = repo.history
    with repo.lock():
        v1 = record(history, "m", OIDS[0])
        record(history, "m", OIDS[1])
        history.prune([v1])
    assert [v.name for v in history.versions("m")] == ["v2"]
    assert [v.name for v in history.versions("m", include_pruned=True)] == ["v2", "v1"]
    assert history.by_number("m", 1).oid == OIDS[0]
    assert {v.number for v in history.all_versions()} == {2}
    with repo.lock():  # numbers keep counting after a prune
        assert record(history, "m", OIDS[2]).number == 3


def test_history_is_immutable_json_records(repo: Repo) -> None:
    with repo.lock():
        version = record(repo.history, "m", OIDS[0], "msg")
        repo.history.set_tag(version, "prod")
    files = sorted(p.relative_to(repo.dot).as_posix() for p in Path(repo.dot).rglob("*.json"))
    assert [f.split("/")[:2] for f in files] == [["records", "tags"], ["records", "versions"]]
    doc = json.loads(Path(repo.records.path("versions", version.id)).read_text(encoding="utf-8"))
    assert doc["artifact"] == "m"
    assert doc["number"] == 1
    assert doc["message"] == "msg"


def test_index_is_rebuilt_from_records(repo: Repo) -> None:
    with repo.lock():
        record(repo.history, "m", OIDS[0])
        v2 = record(repo.history, "m", OIDS[1])
        repo.history.set_tag(v2, "prod")
        repo.history.prune([repo.history.by_number("m", 1)])
    before = repo.history.versions("m", include_pruned=True)
    repo.close()
    for name in os.listdir(repo.dot):
        if name.startswith("index.db"):
            os.unlink(os.path.join(repo.dot, name))
    with Repo.open(repo.root) as rebuilt:
        assert rebuilt.history.versions("m", include_pruned=True) == before
        assert [v.name for v in rebuilt.history.versions("m")] == ["v2"]
        assert rebuilt.reindex() == 0


def test_reindex_renumbers_a_clashing_version_from_elsewhere(repo: Repo) -> None:
    """Two machines both made v1: after a merge of records, one of them becomes v2."""
    with repo.lock():
        record(repo.history, "m", OIDS[0])
    theirs: dict[str, Any] = {
        "id": "0000000000000001-aaaaaaaa",
        "kind": "versions",
        "artifact": "m",
        "number": 1,
        "oid": OIDS[5],
        "type": "file",
        "size": 3,
        "nfiles": 1,
        "created": 1.0,
        "author": "Bob",
        "message": "from another machine",
        "producer": None,
    }
    Path(repo.records.path("versions", theirs["id"])).write_text(
        json.dumps(theirs), encoding="utf-8"
    )
    assert repo.reindex() == 1
    assert [(v.name, v.oid) for v in repo.history.versions("m")] == [
        ("v2", OIDS[5]),
        ("v1", OIDS[0]),
    ]
