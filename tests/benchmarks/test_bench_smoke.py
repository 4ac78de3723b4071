"""The benchmark harness runs end to end at a tiny scale (nbvc only: CI has no DVC)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"
SECONDS = re.compile(r"^\d+\.\d\d \[\d+\.\d\d-\d+\.\d\d\]$")


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUN), *args], capture_output=True, text=True, timeout=120, check=False
    )


def scenario_names() -> list[str]:
    listed = bench("--list")
    assert listed.returncode == 0, listed.stderr
    return [line.split("\t")[0] for line in listed.stdout.splitlines()]


def table_rows(report: str) -> dict[str, dict[str, str]]:
    lines = [line for line in report.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True))
        rows[cells["scenario"].split(":")[0]] = cells
    return rows


def test_every_scenario_gets_numbers(tmp_path: Path) -> None:
    workdir, out = tmp_path / "work", tmp_path / "report.md"
    done = bench(
        "--scale", "0.001", "--repeat", "1", "--tools", "nbvc",
        "--workdir", str(workdir), "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    rows = table_rows(out.read_text(encoding="utf-8"))
    names = scenario_names()
    assert len(names) >= 7
    assert sorted(rows) == sorted(names)
    for name in names:
        row = rows[name]
        assert SECONDS.match(row["nbvc s"]), (name, row)
        assert float(row["nbvc peak MiB"]) > 1, (name, row)
        assert SECONDS.match(row["floor s"]), (name, row)
        assert "DVC s" not in row
    assert not workdir.exists(), "the run must clean up after itself"


def test_unknown_scenario_is_refused_before_any_work(tmp_path: Path) -> None:
    done = bench("--only", "add-A-cold,no-such-thing", "--workdir", str(tmp_path / "w"))
    assert done.returncode == 2
    assert "unknown scenario no-such-thing" in done.stderr
    assert not (tmp_path / "w").exists()


def test_unknown_tool_is_refused(tmp_path: Path) -> None:
    done = bench("--tools", "nbvc,git-lfs", "--workdir", str(tmp_path / "w"))
    assert done.returncode == 2
    assert "unknown tool git-lfs" in done.stderr


def test_a_workdir_with_foreign_files_is_left_alone(tmp_path: Path) -> None:
    precious = tmp_path / "mine.txt"
    precious.write_text("keep me", encoding="utf-8")
    done = bench("--scale", "0.001", "--tools", "nbvc", "--workdir", str(tmp_path))
    assert done.returncode != 0
    assert "not made by this benchmark" in done.stderr
    assert precious.read_text(encoding="utf-8") == "keep me"
