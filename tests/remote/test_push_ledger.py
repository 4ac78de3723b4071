"""A push with nothing new since the last complete push answers without connecting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fsspec.implementations.local import LocalFileSystem

from nbvc.core.errors import RemoteError
from nbvc.core.remote import ledger, transfer
from nbvc.core.repo import Repo
from tests.remote.remote_kit import Backend, commit, make_repo, nbvc, push, write_dataset


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    store = str(tmp_path / "store")
    path = make_repo(tmp_path / "repo", Backend(url=store, fs=LocalFileSystem(), root=store))
    write_dataset(path / "data", 10, seed=1)
    assert nbvc(path, "add", "data").code == 0
    commit(path)
    return path


def unreachable(*_args: Any, **_kwargs: Any) -> Any:
    raise RemoteError("the remote was asked")


def test_a_push_with_nothing_new_does_not_connect(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert push(repo).objects > 0
    monkeypatch.setattr(transfer, "open_remote", unreachable)
    again = nbvc(repo, "push")
    assert again.code == 0 and "everything is up to date" in again.out
    with pytest.raises(RemoteError, match="asked"):
        push(repo, check=True)  # --check always asks


def test_anything_new_or_an_old_ledger_makes_the_push_connect(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert push(repo).ok
    (repo / "data" / "new.txt").write_text("new")
    assert nbvc(repo, "add", "data").code == 0
    assert push(repo).objects == 2  # a new version: the file and the folder manifest
    with monkeypatch.context() as patch:
        patch.setattr(ledger, "TRUST_SECONDS", 0.0)
        patch.setattr(transfer, "open_remote", unreachable)
        with pytest.raises(RemoteError, match="asked"):
            push(repo)
    assert push(repo).objects == 0


def test_gc_of_the_remote_forgets_the_ledger(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert push(repo).ok
    assert nbvc(repo, "gc", "--remote", "origin").code == 0
    monkeypatch.setattr(transfer, "open_remote", unreachable)
    with pytest.raises(RemoteError, match="asked"):
        push(repo)


def test_the_ledger_is_per_remote(repo: Path, tmp_path: Path) -> None:
    assert push(repo).ok
    other = tmp_path / "other-remote"
    assert nbvc(repo, "remote", "add", "other", str(other)).code == 0
    assert push(repo, remote="other").objects > 0
    with Repo.open(str(repo)) as opened:
        assert len(list(Path(opened.dot, "cache", "remotes").iterdir())) == 2


def test_pushes_of_parts_cover_a_push_of_the_whole(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "model.bin").write_bytes(b"weights")
    assert nbvc(repo, "add", "model.bin").code == 0
    assert push(repo, paths=[str(repo / "data")]).objects > 0
    assert push(repo, paths=[str(repo / "model.bin")]).objects == 1
    monkeypatch.setattr(transfer, "open_remote", unreachable)
    assert nbvc(repo, "push").code == 0  # data and model.bin: both covered a moment ago
