from __future__ import annotations

from pathlib import Path

import pytest

import nbvc
from tests.conftest import Cli, NbvcProcess, assert_clean_error

VERBS = ("init", "add", "status", "log", "checkout", "diff", "tag", "gc", "fsck")


def test_version(cli: Cli) -> None:
    assert cli.ok("--version").strip() == f"nbvc {nbvc.__version__}"


def test_no_command_prints_help(cli: Cli) -> None:
    result = cli()
    assert result.code == 2
    for verb in VERBS:
        assert verb in result.out


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help(cli: Cli, verb: str) -> None:
    assert f"usage: nbvc {verb}" in cli.ok(verb, "--help")


def test_usage_errors_exit_2(cli: Cli) -> None:
    assert cli("frobnicate").code == 2
    assert cli("add").code == 2
    assert cli("gc", "--keep-last", "many").code == 2


def test_the_installed_command_runs(nbvc_proc: NbvcProcess, tmp_path: Path) -> None:
    assert nbvc_proc.run("--version").out.strip() == f"nbvc {nbvc.__version__}"
    result = nbvc_proc.run("status", cwd=tmp_path)
    assert result.code == 1
    assert_clean_error(result.err)
    assert "nbvc init" in result.err
    assert result.out == ""


@pytest.mark.parametrize(
    "args", [("-q", "init"), ("init", "-q"), ("--quiet", "init"), ("init", "--quiet")]
)
def test_quiet_works_before_and_after_the_verb(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = cli.ok(*args, str(tmp_path))
    assert out.startswith("Initialised")
    assert "Tip" not in out


def test_notes_without_quiet(cli: Cli, tmp_path: Path) -> None:
    assert "Tip" in cli.ok("init", str(tmp_path))
