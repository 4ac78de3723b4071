from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

import nbvc
from nbvc.cli.commands import COMMANDS, load
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


def test_help_lists_every_verb_with_its_summary(cli: Cli) -> None:
    out = " ".join(cli.ok("--help").split())  # argparse wraps long lines
    for name, verb in COMMANDS.items():
        assert f"{name} {verb.summary}" in out


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_declared_verb_is_registered_by_its_module(name: str) -> None:
    parser = argparse.ArgumentParser()
    assert load(name).register(parser.add_subparsers()) == [name]


def imported_verbs(*args: str, cwd: Path | None = None) -> list[str]:
    """The verb modules a real `nbvc ARGS` process imported."""
    return imported_modules(*args, cwd=cwd, prefix="nbvc.cli.commands.")


def imported_modules(*args: str, cwd: Path | None = None, prefix: str = "") -> list[str]:
    """The modules (named from ``prefix`` on) a real `nbvc ARGS` process imported."""
    code = (
        "import json, sys\n"
        "from nbvc.cli.main import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"names = [m for m in sys.modules if m.startswith({prefix!r})]\n"
        "print(json.dumps(sorted(names)), file=sys.__stderr__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    last: list[str] = json.loads(done.stderr.splitlines()[-1])
    return last


@pytest.mark.parametrize("args", [("--version",), ("--help",), (), ("frobnicate",)])
def test_version_and_help_import_no_verb_module(args: tuple[str, ...]) -> None:
    assert imported_verbs(*args) == []


def test_a_verb_imports_only_its_own_module(tmp_path: Path) -> None:
    assert imported_verbs("-q", "status", "--json", cwd=tmp_path) == ["nbvc.cli.commands.status"]


def test_status_loads_neither_record_types_nor_other_verbs_options(tmp_path: Path) -> None:
    """`status` start-up is a benchmark target (>= 8x DVC): with the index current it needs no
    run or lineage types, no other verb's options, no close-match hints and no temp folder."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x\n1\n")
    for argv in (["init", "-q"], ["add", "-q", "data"], ["status", "-q"]):
        subprocess.run([sys.executable, "-m", "nbvc", *argv], cwd=tmp_path, check=True)
    loaded = set(imported_modules("status", cwd=tmp_path))
    needless = {
        "nbvc.core.runs.run_record",
        "nbvc.core.runs.run_index",
        "nbvc.core.lineage.cell_record",
        "nbvc.core.lineage.lineage_index",
        "nbvc.core.engine_options",
        "nbvc.core.front_options",
        "difflib",
        "tempfile",
    }
    assert "nbvc.core.artifacts.status" in loaded
    assert sorted(loaded & needless) == []


def test_usage_errors_exit_2(cli: Cli) -> None:
    assert cli("frobnicate").code == 2
    assert cli("add").code == 2
    assert cli("gc", "--keep-last", "many").code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stauts",), "unknown command 'stauts' (did you mean status?); see `nbvc --help`"),
        (("frobnicate",), "unknown command 'frobnicate'; see `nbvc --help`"),
        (("log", "m", "--jsn"), "unknown option --jsn for nbvc log (did you mean --json?); "),
        (("-q", "status", "--jsonn"), "unknown option --jsonn for nbvc status (did you mean"),
        (("plots", "shw"), "unknown command 'shw' (did you mean show?); see `nbvc plots --help`"),
        (
            ("plots", "show", "--ot=x"),
            "unknown option --ot for nbvc plots show (did you mean --out",
        ),
        (("add",), "nbvc add: the following arguments are required: PATH; see `nbvc add --help`"),
        (("gc", "--keep-last", "many"), "nbvc gc: argument --keep-last: invalid"),
        (("tag", "a", "b", "c"), "unexpected argument 'c' for nbvc tag; see `nbvc tag --help`"),
    ],
)
def test_usage_errors_are_one_line_with_a_hint(
    cli: Cli, args: tuple[str, ...], message: str
) -> None:
    result = cli(*args)
    assert result.code == 2 and result.out == ""
    assert_clean_error(result.err)
    assert len(result.err.splitlines()) == 1, result.err  # no usage block
    assert result.err.startswith(f"nbvc: error: {message}"), result.err


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
