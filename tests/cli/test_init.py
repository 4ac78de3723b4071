from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.helpers import git


def test_init_outside_git(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = cli.ok("init")
    assert f"Initialised an nbvc repo in {tmp_path.resolve() / '.nbvc'}" in out
    assert "git init" in out  # the tip
    assert (tmp_path / ".nbvc" / "config").is_file()
    assert (tmp_path / ".nbvc" / ".gitignore").is_file()


def test_init_inside_git(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    out = cli.ok("init")
    assert "Commit .nbvc/config and .nbvc/.gitignore" in out
    git(tmp_path, "add", "-A")
    staged = git(tmp_path, "diff", "--cached", "--name-only").splitlines()
    assert sorted(staged) == [".nbvc/.gitignore", ".nbvc/config"]


def test_init_of_a_named_folder_and_quiet(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "new"
    target.mkdir()
    out = cli.ok("init", "-q", str(target))
    assert out.strip() == f"Initialised an nbvc repo in {target.resolve() / '.nbvc'}"


def test_init_is_idempotent(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cli.ok("init")
    config = (tmp_path / ".nbvc" / "config").read_text(encoding="utf-8")
    assert "already an nbvc repo; nothing to do" in cli.ok("init")
    assert (tmp_path / ".nbvc" / "config").read_text(encoding="utf-8") == config


def test_nested_init_is_refused(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cli.ok("init")
    inner = tmp_path / "inner"
    inner.mkdir()
    monkeypatch.chdir(inner)
    err = cli.error("init")
    assert "inside the nbvc repo" in err
    assert "--nested" in err
    assert not (inner / ".nbvc").exists()
    cli.ok("init", "--nested")
    assert (inner / ".nbvc").is_dir()


def test_init_of_a_missing_folder_creates_it(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", str(tmp_path / "a" / "b"))
    assert (tmp_path / "a" / "b" / ".nbvc").is_dir()
