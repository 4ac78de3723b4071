"""The change token and the pointer cache behind it, without a server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from nbvc.server.changes import PointerCache, change_token


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    monkeypatch.setenv("NBVC_AUTHOR", "Test User")
    created, _ = Repo.init(str(tmp_path))
    (tmp_path / "a.txt").write_text("a")
    created.add([str(tmp_path / "a.txt")])
    yield created
    created.close()


def token(repo: Repo, cache: PointerCache) -> str:
    return change_token(repo, cache.artifacts(repo))


def test_a_pointer_that_appears_without_a_record_shows_after_a_rescan(repo: Repo) -> None:
    cache = PointerCache(rescan=3600)
    before = token(repo, cache)
    # a pointer arriving as git would bring it: a copy of another pointer, no record written
    root = Path(repo.root)
    (root / "b.txt").write_text("a")
    shutil.copy(root / "a.txt.nbvc", root / "b.txt.nbvc")
    assert token(repo, cache) == before  # not walked again yet
    assert token(repo, PointerCache(rescan=0)) != before


def test_known_pointers_are_checked_at_every_poll(repo: Repo) -> None:
    cache = PointerCache(rescan=3600)
    before = token(repo, cache)
    (Path(repo.root) / "a.txt.nbvc").unlink()
    assert token(repo, cache) != before


def test_the_cache_keeps_repos_apart(repo: Repo, tmp_path_factory: pytest.TempPathFactory) -> None:
    other, _ = Repo.init(str(tmp_path_factory.mktemp("other")))
    cache = PointerCache(rescan=3600)
    assert cache.artifacts(repo) == ["a.txt"]
    assert cache.artifacts(other) == []
    other.close()


def test_config_edits_change_the_token(repo: Repo) -> None:
    cache = PointerCache()
    before = token(repo, cache)
    (Path(repo.dot) / "config.local").write_text("[core]\njobs = 2\n")
    assert token(repo, cache) != before


def test_a_run_opening_and_ending_changes_the_token(repo: Repo) -> None:
    from nbvc.core.runs.journal import Journal
    from nbvc.core.storage.record_store import new_id

    cache = PointerCache()
    before = token(repo, cache)
    journal = Journal.create(repo, new_id(), "python")
    opened = token(repo, cache)
    assert opened != before
    journal.remove()
    assert token(repo, cache) != opened


def test_a_sweep_starting_and_ending_changes_the_token(repo: Repo) -> None:
    from nbvc.core.experiments import sweep_state

    cache = PointerCache()
    before = token(repo, cache)
    sweep_state.write_plan(repo, "18edbca4d2498fb1-f0aae217", {"name": "big", "points": []})
    started = token(repo, cache)
    assert started != before  # a sweep started in a terminal shows in the panel at once
    shutil.rmtree(sweep_state.sweep_dir(repo, "18edbca4d2498fb1-f0aae217"))
    assert token(repo, cache) != started
