from __future__ import annotations

from pathlib import Path

import pytest

from nbvc.core.errors import MissingObjectError
from nbvc.core.repo import Repo
from tests.helpers import corrupt_object, make_tree, object_path, write


@pytest.fixture
def tracked(repo: Repo) -> Repo:
    make_tree(Path(repo.root, "data"), {"a": "alpha", "b/c": "gamma"})
    write(Path(repo.root, "m"), "model one")
    repo.add(["data", "m"])
    write(Path(repo.root, "m"), "model two")
    repo.add(["m"])
    return repo


def test_clean_cache(tracked: Repo) -> None:
    result = tracked.fsck()
    assert result.ok
    assert result.checked == 5  # the tree, its two files, two versions of m
    assert result.corrupt == []


def test_fsck_finds_and_quarantines_a_corrupt_object(tracked: Repo) -> None:
    v1 = tracked.history.by_number("m", 1).oid
    corrupt_object(tracked, v1)
    result = tracked.fsck()
    assert not result.ok
    assert [oid for oid, _ in result.corrupt] == [v1]
    moved_to = Path(result.corrupt[0][1])
    assert moved_to.read_bytes().startswith(b"bit rot")
    assert not object_path(tracked, v1).exists()
    assert tracked.fsck().ok  # the cache is clean again
    with pytest.raises(MissingObjectError, match="nbvc pull"):
        tracked.checkout("m@v1")
    assert Path(tracked.root, "m").read_text(encoding="utf-8") == "model two"


def test_fsck_finds_a_corrupt_tree_and_a_truncated_file(tracked: Repo) -> None:
    tree = tracked.history.by_number("data", 1).oid
    corrupt_object(tracked, tree, b"[")
    a_oid = next(
        o for o in tracked.odb.iter_oids() if object_path(tracked, o).read_bytes() == b"alpha"
    )
    path = object_path(tracked, a_oid)
    path.chmod(0o644)
    path.write_bytes(b"alp")
    result = tracked.fsck()
    assert sorted(oid for oid, _ in result.corrupt) == sorted([tree, a_oid])
    assert tracked.status(["data"])[0].state == "not in cache"


def test_re_adding_restores_a_quarantined_object(tracked: Repo) -> None:
    v2 = tracked.history.by_number("m", 2).oid
    corrupt_object(tracked, v2)
    tracked.fsck()
    assert tracked.status(["m"])[0].state == "not in cache"
    again = tracked.add(["m"])[0]
    assert (again.created, again.version.name) == (False, "v2")
    assert tracked.odb.exists(v2)
    assert tracked.fsck().ok
    assert tracked.status(["m"])[0].state == "unchanged"
