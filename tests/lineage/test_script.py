"""`nbvc lineage --script`: the code that produced a version, as a script that runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nbvc.core.errors import NoProducerError
from nbvc.core.lineage.script import script
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import hash_bytes
from tests.lineage.kit import run_cell


def notebook_session(repo: Repo) -> dict[str, str]:
    """A session with a data cell, a noise cell, a magic and a computation in a subfolder."""
    os.makedirs("work")
    ids = {}
    ids["import"] = run_cell(repo, "import json").id
    ids["factor"] = run_cell(repo, "factor = 10").id
    ids["rows"] = run_cell(repo, "rows = [1, 2, 3]").id
    write = run_cell(repo, "open('data.json', 'w').write(json.dumps(rows))")
    ids["write"] = write.id
    repo.add(["data.json"], producer=write.producer)
    ids["noise"] = run_cell(repo, "print('looking at', rows)\nunused = 1").id
    run_cell(repo, "pass  # stands for: %version_add data.json")
    ids["load"] = run_cell(
        repo, "loaded = json.loads(open('data.json').read())", reads=["data.json"]
    ).id
    result = run_cell(repo, "open('result.txt', 'w').write(str(sum(loaded) * factor))", cwd="work")
    ids["result"] = result.id
    repo.add(["work/result.txt"], producer=result.producer)
    return ids


def test_the_script_has_exactly_the_cells_needed_in_order(repo: Repo) -> None:
    ids = notebook_session(repo)
    made = script(repo, "work/result.txt")
    assert [c.id for c in made.cells] == [
        ids["import"],
        ids["factor"],
        ids["rows"],
        ids["write"],
        ids["load"],
        ids["result"],
    ]
    assert made.inputs == [] and made.stages == []
    assert made.text.startswith("#!/usr/bin/env python3\n# Reproduces work/result.txt@v1 (")
    assert made.text.count("_nbvc_os.chdir(") == 1
    assert "_nbvc_os.chdir(_nbvc_os.path.join(_NBVC_ROOT, 'work'))\nopen('result.txt'" in made.text


def test_the_script_reproduces_the_artifact(
    repo: Repo, tmp_path_factory: pytest.TempPathFactory
) -> None:
    notebook_session(repo)
    made = script(repo, "work/result.txt")
    elsewhere = tmp_path_factory.mktemp("replay")
    os.makedirs(elsewhere / "work")
    (elsewhere / "replay.py").write_text(made.text)
    subprocess.run([sys.executable, "replay.py"], cwd=elsewhere, check=True)
    assert (elsewhere / "work" / "result.txt").read_bytes() == Path("work/result.txt").read_bytes()
    version = repo.history.latest("work/result.txt")
    assert version is not None and hash_bytes(b"60") == version.oid


def test_inputs_from_another_session_are_listed_with_their_version(repo: Repo) -> None:
    run_cell(repo, "open('raw.csv', 'w').write('5')", session="earlier")
    repo.add(["raw.csv"])
    made = run_cell(
        repo,
        "open('out.txt', 'w').write(open('raw.csv').read() * 2)",
        session="later",
        reads=["raw.csv"],
    )
    repo.add(["out.txt"], producer=made.producer)
    text = script(repo, "out.txt").text
    assert "#   raw.csv  " in text and "(`nbvc checkout raw.csv@v1`)" in text
    assert "open('raw.csv', 'w')" not in text


def test_no_script_without_a_recorded_producer(repo: Repo) -> None:
    Path("hand.txt").write_text("made by hand")
    repo.add(["hand.txt"])
    with pytest.raises(NoProducerError, match="no record of a notebook cell that produced"):
        script(repo, "hand.txt")


def test_a_stage_producer_is_named_with_its_command(repo: Repo) -> None:
    Path("in.txt").write_text("i")
    record = repo.records.write(
        "runs",
        {
            "id": "18eb0000-feedbeef",
            "stages": {
                "train": {
                    "deps": {"in.txt": hash_bytes(b"i")},
                    "definition": {"cmd": "python t.py"},
                }
            },
        },
    )
    Path("model.bin").write_text("m")
    repo.add(["model.bin"], producer=f"stage:train@{record['id']}")
    text = script(repo, "model.bin").text
    assert "# Produced by pipeline stage train (run feedbeef), which ran: python t.py" in text
