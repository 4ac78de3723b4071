from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nbvc.core.errors import PathError, RefError
from nbvc.core.repo import Repo
from tests.helpers import make_tree, write


@pytest.fixture
def two(repo: Repo) -> Repo:
    data = Path(repo.root, "data")
    make_tree(data, {"same": "s", "changed": "12", "gone": "123"})
    write(Path(repo.root, "m"), "1")
    repo.add(["data", "m"])
    shutil.rmtree(data)
    make_tree(data, {"same": "s", "changed": "12345", "new/added": "1234567"})
    write(Path(repo.root, "m"), "22")
    repo.add(["data", "m"])
    return repo


def test_diff_between_versions(two: Repo) -> None:
    result = two.diff("data@v1", "data@v2")
    assert (result.old_label, result.new_label) == ("v1", "v2")
    assert result.added == [("new/added", 7)]
    assert result.removed == [("gone", 3)]
    assert result.modified == [("changed", 2, 5)]
    assert result.changed
    assert result.to_json()["modified"] == [{"path": "changed", "old_size": 2, "new_size": 5}]


def test_diff_is_directional(two: Repo) -> None:
    result = two.diff("data@v2", "data@v1")
    assert result.added == [("gone", 3)]
    assert result.removed == [("new/added", 7)]
    assert result.modified == [("changed", 5, 2)]


def test_diff_against_the_workspace(two: Repo) -> None:
    write(Path(two.root, "data", "same"), "edited")
    result = two.diff("data")  # pointer (v2) against the workspace
    assert (result.old_label, result.new_label) == ("v2", "workspace")
    assert result.modified == [("same", 1, 6)]
    assert (result.added, result.removed) == ([], [])
    assert two.diff("data@v1").removed == [("gone", 3)]


def test_diff_against_a_deleted_workspace(two: Repo) -> None:
    shutil.rmtree(Path(two.root, "data"))
    result = two.diff("data")
    assert sorted(p for p, _ in result.removed) == ["changed", "new/added", "same"]


def test_diff_of_a_single_file(two: Repo) -> None:
    result = two.diff("m@v1", "m@v2")
    assert result.modified == [("m", 1, 2)]
    assert not two.diff("m@v2", "m").changed
    tagged = two.tag("m@v1", "prod")
    assert tagged.name == "v1"
    assert not two.diff("m@prod", "m@v1").changed


def test_diff_of_two_artifacts_is_refused(two: Repo) -> None:
    with pytest.raises(PathError, match="name one artifact"):
        two.diff("data@v1", "m@v1")


def test_diff_with_a_bad_ref(two: Repo) -> None:
    with pytest.raises(RefError):
        two.diff("data@v5", "data@v1")
