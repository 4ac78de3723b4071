"""One table style across verbs (lower-case titles, numbers right-aligned and written the same
way, dates with the year) and ``--json`` wherever a table is printed (docs/cli.md)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from nbvc.cli import commands
from nbvc.cli.commands import COMMANDS
from nbvc.cli.main import build_parser
from nbvc.core import Repo
from tests.conftest import Cli
from tests.kernel.kit import python_on_path, write_pipeline

COMMANDS_DIR = Path(commands.__file__).parent
YEAR = re.compile(r"\b20\d\d-\d\d-\d\d \d\d:\d\d\b")


@pytest.fixture
def project(cli: Cli, repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """Two repro runs of prepare -> train (different lr) and a tracked folder with two versions."""
    monkeypatch.setenv("PATH", python_on_path())
    root = Path(repo.root)
    write_pipeline(root)
    cli.ok("repro")
    write_pipeline(root, lr=0.2)
    cli.ok("repro")
    (root / "big").mkdir()
    for i in range(3):
        (root / "big" / f"{i}.bin").write_bytes(bytes(1500 * (i + 1)))
    cli.ok("add", "big", "-m", "three files")
    (root / "big" / "3.bin").write_bytes(b"x" * 2000)
    cli.ok("add", "big", "-m", "four files")
    return repo


def columns_of(lines: list[str], title: str) -> tuple[int, int]:
    """Where a column's title starts and ends in the header line."""
    start = lines[0].index(title)
    return start, start + len(title)


def test_numbers_are_right_aligned_under_their_title(cli: Cli, project: Repo) -> None:
    log = cli.ok("log", "big").splitlines()
    size_end = columns_of(log, "size")[1]
    files_end = columns_of(log, "files")[1]
    for row in log[1:]:
        assert row[size_end - 1] == "B" and row[files_end - 1] in "34"  # right-aligned
        assert YEAR.search(row)
    assert log[1][:size_end].endswith(" 10.7 KiB")  # 1,500 + 3,000 + 4,500 + 2,000 bytes
    du = cli.ok("du").splitlines()
    versions_end = columns_of(du, "versions")[1]
    assert sorted(row[versions_end - 1] for row in du[1:-1]) == ["1", "2", "2"]  # prepared: 1


def test_titles_are_lower_case_in_every_verb(cli: Cli, project: Repo) -> None:
    headers = {
        "log": cli.ok("log", "big").splitlines()[0],
        "status": cli.ok("status").splitlines()[0],
        "du": cli.ok("du").splitlines()[0],
        "runs": cli.ok("runs").splitlines()[1],  # below the params/metrics groups
        "metrics show": cli.ok("metrics", "show").splitlines()[0],
        "metrics diff": cli.ok("metrics", "diff", "--all").splitlines()[0],
        "params diff": cli.ok("params", "diff", "--all").splitlines()[0],
    }
    labels = {"workspace"} | {w for h in headers.values() for w in h.split() if "." in w}
    for verb, header in headers.items():
        words = [
            w for w in header.split() if w not in labels and not re.fullmatch("[0-9a-f]{8}", w)
        ]
        assert all(w == w.lower() for w in words), (verb, header)


def test_runs_groups_params_and_metrics(cli: Cli, project: Repo) -> None:
    groups, header = cli.ok("runs").splitlines()[:2]
    assert groups.index("params") == header.index("train.lr") or groups.index(
        "params"
    ) == header.index("prepare.rows")
    assert groups.index("metrics") == header.index("acc")
    assert "─" in groups


def test_repro_gc_and_fsck_print_json(cli: Cli, project: Repo) -> None:
    repro = json.loads(cli.ok("repro", "--json"))
    assert repro["run"] is None and repro["dry_run"] is False
    assert [(s["stage"], s["status"]) for s in repro["stages"]] == [
        ("prepare", "skipped"),
        ("train", "skipped"),
    ]
    forced = cli("repro", "--json", "--force", "train")
    assert forced.code == 0 and "trained" in forced.err  # the stage's own output: stderr
    assert json.loads(forced.out)["stages"][-1]["status"] == "ran"
    gc = json.loads(cli.ok("gc", "--dry-run", "--json"))
    assert gc["dry_run"] is True and gc["removed_objects"] >= 0 and gc["kept_objects"] > 0
    fsck = json.loads(cli.ok("fsck", "--json"))
    assert fsck["ok"] is True and fsck["checked_objects"] > 0 and fsck["corrupt"] == []


@pytest.mark.parametrize(
    "words",
    [
        ("status",),
        ("log", "big"),
        ("du",),
        ("runs",),
        ("metrics", "show"),
        ("metrics", "diff"),
        ("params", "diff"),
        ("remote", "list"),
        ("artifacts",),
        ("models",),
        ("diff", "big@v1", "big@v2"),
        ("lineage", "model.json"),
        ("repro", "--dry"),
    ],
    ids=" ".join,
)
def test_every_listing_has_json(cli: Cli, project: Repo, words: tuple[str, ...]) -> None:
    json.loads(cli.ok(*words, "--json"))


def offers_json(parser: argparse.ArgumentParser) -> bool:
    """Whether the parser, or every one of its subcommands that lists something, takes --json."""
    if "--json" in parser._option_string_actions:
        return True
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return any(offers_json(p) for sub in subs for p in sub.choices.values())


def test_every_verb_that_prints_a_table_offers_json() -> None:
    """A verb module that calls ``table(`` (or prints params/metrics) must offer ``--json``."""
    for name, verb in COMMANDS.items():
        source = (COMMANDS_DIR / f"{verb.module}.py").read_text(encoding="utf-8")
        if not any(call in source for call in ("table(", "print_diff(", "print_values(")):
            continue
        parser, _ = build_parser([name])
        subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        assert offers_json(subs.choices[name]), name
