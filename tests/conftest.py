"""Factory fixtures: a repo in a temp folder, the CLI in-process, and `nbvc` as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from nbvc.cli.main import main
from nbvc.core.repo import Repo
from tests.helpers import git

AUTHOR = "Tess Ter <tess@example.invalid>"


@pytest.fixture(autouse=True)
def _isolated_git(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A git identity of our own, so tests never depend on the machine's git config.

    ``NBVC_AUTHOR`` spares every add two `git config` calls; tests of the git author unset it.
    """
    config = tmp_path_factory.getbasetemp() / "gitconfig"
    if not config.exists():
        config.write_text(
            "[user]\n\tname = Test User\n\temail = test@example.invalid\n"
            "[init]\n\tdefaultBranch = main\n",
            encoding="utf-8",
        )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("NBVC_AUTHOR", AUTHOR)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """A fresh nbvc repo (not a git repo) in ``tmp_path/repo``, which is the current folder."""
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    created, _ = Repo.init(str(root))
    yield created
    created.close()


@pytest.fixture
def git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """A fresh git work tree that is also an nbvc repo; the current folder."""
    root = tmp_path / "gitrepo"
    root.mkdir()
    monkeypatch.chdir(root)
    git(root, "init", "-q")
    created, _ = Repo.init(str(root))
    yield created
    created.close()


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


class Cli:
    """Runs ``nbvc.cli.main.main`` in this process, capturing its output and exit code."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *args: str) -> CliResult:
        self.capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = self.capsys.readouterr()
        return CliResult(code, out, err)

    def ok(self, *args: str) -> str:
        """Run a command that must succeed; returns its stdout."""
        result = self(*args)
        assert result.code == 0, f"nbvc {' '.join(args)} failed: {result}"
        return result.out

    def error(self, *args: str, code: int = 1) -> str:
        """Run a command that must fail cleanly; returns the error message."""
        result = self(*args)
        assert result.code == code, f"nbvc {' '.join(args)}: expected exit {code}: {result}"
        assert_clean_error(result.err)
        return result.err


def assert_clean_error(stderr: str) -> None:
    assert stderr.startswith("nbvc: error: "), stderr
    assert "Traceback" not in stderr, stderr


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def nbvc_command() -> list[str]:
    """The installed `nbvc` console script next to this interpreter (or `python -m`)."""
    script = Path(sys.executable).parent / "nbvc"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "nbvc.cli.main"]


class NbvcProcess:
    """Runs `nbvc` as a real subprocess, the way users and scripts do."""

    def __init__(self) -> None:
        self.command = nbvc_command()

    def run(self, *args: str, cwd: Path | None = None, timeout: float = 60) -> CliResult:
        done = subprocess.run(
            [*self.command, *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=os.environ.copy(),
            check=False,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    def spawn(self, *args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*self.command, *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@pytest.fixture
def nbvc_proc() -> NbvcProcess:
    return NbvcProcess()
