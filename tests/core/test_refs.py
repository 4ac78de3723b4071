from __future__ import annotations

from pathlib import Path

import pytest

from nbvc.core.artifacts import pointer
from nbvc.core.artifacts.refs import resolve, split_spec
from nbvc.core.errors import NbvcError, NotTrackedError, PathError, RefError
from nbvc.core.repo import Repo
from tests.helpers import commit_all, git, write


def add_versions(repo: Repo, artifact: str, *contents: str) -> list[str]:
    """Add each content in turn as a version; returns their oids."""
    oids = []
    for content in contents:
        write(Path(repo.root, artifact), content)
        oids.append(repo.add([artifact])[0].version.oid)
    return oids


def test_split_spec(repo: Repo) -> None:
    assert split_spec(repo, "data@v2") == ("data", "v2")
    assert split_spec(repo, "data") == ("data", None)
    assert split_spec(repo, "a/b@c@HEAD~1") == ("a/b@c", "HEAD~1")
    write(Path(repo.root, "me@host.csv"), "x")
    assert split_spec(repo, "me@host.csv") == ("me@host.csv", None)
    with pytest.raises(RefError, match="empty reference"):
        split_spec(repo, "data@")
    with pytest.raises(PathError, match="outside"):
        split_spec(repo, "../data@v1")


def test_resolve_version_tag_and_pointer(repo: Repo) -> None:
    v1, v2 = add_versions(repo, "m", "one", "two")
    repo.tag("m@v1", "prod")
    assert resolve(repo, "m", "v1").oid == v1
    assert resolve(repo, "m", "v2").oid == v2
    assert resolve(repo, "m", "prod").oid == v1
    at_pointer = resolve(repo, "m", None)
    assert at_pointer.oid == v2
    assert at_pointer.version is not None
    assert at_pointer.label == "v2"
    assert resolve(repo, "m", "prod").label == "v1"


@pytest.mark.parametrize("ref", ["v9", "v0", "nosuchtag", "HEAD", "HEAD~1"])
def test_bad_ref_outside_git_is_a_helpful_ref_error(repo: Repo, ref: str) -> None:
    add_versions(repo, "m", "one")
    with pytest.raises(RefError, match=r"nbvc log m"):
        resolve(repo, "m", ref)


def test_untracked_artifact_without_ref(repo: Repo) -> None:
    write(Path(repo.root, "loose"), "x")
    with pytest.raises(NotTrackedError, match="nbvc add loose"):
        resolve(repo, "loose", None)


def test_git_revisions_read_the_pointer_at_that_revision(git_repo: Repo) -> None:
    root = Path(git_repo.root)
    v1, v2, v3 = add_versions(git_repo, "model.bin", "weights 1", "weights 2", "weights 3")
    # commit the pointer at v1, then at v3 (v2 is never committed)
    git_repo.checkout("model.bin@v1")
    first = commit_all(root, "model v1")
    git(root, "tag", "release-1")
    git_repo.checkout("model.bin@v3")
    commit_all(root, "model v3")
    assert resolve(git_repo, "model.bin", "HEAD").oid == v3
    assert resolve(git_repo, "model.bin", "HEAD~1").oid == v1
    assert resolve(git_repo, "model.bin", first).oid == v1
    assert resolve(git_repo, "model.bin", first[:10]).oid == v1
    assert resolve(git_repo, "model.bin", "release-1").oid == v1
    assert resolve(git_repo, "model.bin", "main").oid == v3
    at_head = resolve(git_repo, "model.bin", "HEAD~1")
    assert at_head.version is not None
    assert at_head.version.number == 1
    assert v2 not in {resolve(git_repo, "model.bin", r).oid for r in ("HEAD", "HEAD~1")}


def test_nbvc_tags_win_over_git_names(git_repo: Repo) -> None:
    v1, _v2 = add_versions(git_repo, "m", "one", "two")
    commit_all(Path(git_repo.root), "v2")
    git_repo.tag("m@v1", "main")
    assert resolve(git_repo, "m", "main").oid == v1


def test_git_pointer_in_a_subfolder(git_repo: Repo) -> None:
    root = Path(git_repo.root)
    (oid,) = add_versions(git_repo, "models/m.pt", "w")
    commit_all(root, "c")
    assert resolve(git_repo, "models/m.pt", "HEAD").oid == oid


@pytest.mark.parametrize("ref", ["nosuchbranch", "HEAD~5", "--output=/tmp/pwned", "-p", "deadbeef"])
def test_bad_git_revision_is_a_ref_error(git_repo: Repo, ref: str) -> None:
    add_versions(git_repo, "m", "one")
    commit_all(Path(git_repo.root), "c")
    with pytest.raises(RefError, match=r"nor a git revision.*nbvc log m"):
        resolve(git_repo, "m", ref)


def test_git_revision_without_the_pointer(git_repo: Repo) -> None:
    root = Path(git_repo.root)
    write(root / "README", "x")
    commit_all(root, "before nbvc")
    add_versions(git_repo, "m", "one")
    commit_all(root, "with m")
    with pytest.raises(RefError, match=r"git revision that has m\.nbvc"):
        resolve(git_repo, "m", "HEAD~1")


def test_log_is_newest_first(repo: Repo) -> None:
    add_versions(repo, "m", "1", "2", "3")
    assert [v.name for v in repo.log("m")] == ["v3", "v2", "v1"]


def test_log_of_untracked_path(repo: Repo) -> None:
    with pytest.raises(NotTrackedError, match="not tracked"):
        repo.log("nothing")


def test_tag_moves_and_returns_the_version(repo: Repo) -> None:
    add_versions(repo, "m", "1", "2")
    assert repo.tag("m@v1", "prod").tags == ("prod",)
    moved = repo.tag("m", "prod")  # the pointer's version, v2
    assert moved.name == "v2"
    assert moved.tags == ("prod",)
    assert [v.tags for v in repo.log("m")] == [("prod",), ()]


@pytest.mark.parametrize("name", ["v3", "workspace", "-x", "has space", "a/b", "", "@"])
def test_invalid_tag_names(repo: Repo, name: str) -> None:
    add_versions(repo, "m", "1")
    with pytest.raises(NbvcError, match="cannot be a tag"):
        repo.tag("m@v1", name)


def test_tagging_content_nbvc_never_recorded(repo: Repo) -> None:
    write(Path(repo.root, "m"), "x")
    pointer.write(repo.abspath("m"), pointer.Pointer("e" * 64, "file", 1, 1, None))
    with pytest.raises(RefError, match="no nbvc version to tag"):
        repo.tag("m", "prod")
