"""`nbvc lineage` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nbvc.cli.main import main
from nbvc.core.repo import Repo
from tests.lineage.kit import run_cell


def nbvc(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def produced(repo: Repo) -> Repo:
    run_cell(repo, "open('raw.txt', 'w').write('3')", cell_id="make")
    repo.add(["raw.txt"])
    run_cell(repo, "n = int(open('raw.txt').read())", cell_id="read", reads=["raw.txt"])
    made = run_cell(repo, "open('out.txt', 'w').write(str(n + 1))", cell_id="write")
    repo.add(["out.txt"], producer=made.producer)
    return repo


def test_tree(produced: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = nbvc(capsys, "lineage", "out.txt@v1")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("out.txt@v1 (")
    assert lines[1].startswith("└── nb.ipynb cell write [")
    assert "(via n)" in lines[2] and "raw.txt@v1" in lines[3] and "cell make" in lines[4]


def test_json_dot_mermaid_and_script(produced: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(nbvc(capsys, "lineage", "out.txt", "--json")[1])
    assert doc["producers"][0]["notebook"] == "nb.ipynb"
    assert nbvc(capsys, "lineage", "out.txt", "--dot")[1].startswith("digraph lineage {")
    assert nbvc(capsys, "lineage", "out.txt", "--mermaid")[1].startswith("flowchart LR")
    script = nbvc(capsys, "lineage", "--script", "out.txt")[1]
    assert "n = int(open('raw.txt').read())" in script and "open('raw.txt', 'w')" in script


def test_errors(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    Path("hand.txt").write_text("h")
    repo.add(["hand.txt"])
    code, _, err = nbvc(capsys, "lineage", "--script", "hand.txt")
    assert code == 1 and "no record of a notebook cell" in err
    code, _, err = nbvc(capsys, "lineage", "nope.txt")
    assert code == 1 and "not tracked" in err
    code, _, err = nbvc(capsys, "lineage", "hand.txt@v7")
    assert code == 1 and "no version v7" in err
    with pytest.raises(SystemExit):
        main(["lineage", "hand.txt", "--json", "--dot"])
    assert "not allowed with" in capsys.readouterr().err


def test_a_version_without_lineage_is_just_itself(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("hand.txt").write_text("h")
    repo.add(["hand.txt"])
    code, out, _ = nbvc(capsys, "lineage", "hand.txt")
    assert code == 0 and out.startswith("hand.txt@v1 (") and len(out.splitlines()) == 1
