"""Run journals: the fast metric line, and the fold kept while the file holds only our lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import nbvc
from nbvc.core.runs import logging as runlog
from nbvc.core.runs.journal import Journal, fold
from tests.pipeline.kit import Project


@pytest.fixture(autouse=True)
def no_open_run() -> Iterator[None]:
    yield
    if runlog._active is not None:
        runlog._active.end()


def test_a_metric_line_is_the_json_any_reader_expects(project: Project) -> None:
    with project.repo() as repo:
        journal = Journal.create(repo, "0000000000000001-aaaa0001", "python")
        points = [
            ("loss", 0.1, 0, None),
            ("lr", 1e-05, 1, None),
            ('épreuve "quoted" \\ name', 3, 2, "train"),
            ("big", 10**30, 3, None),
            ("empty", None, 4, "stage ü"),
            ("tiny", 5e-324, 5, None),
        ]
        for name, value, step, stage in points:
            journal.append_metric(name, value, step, 1764752000.123456, stage)
        lines = Path(journal.path).read_text(encoding="utf-8").splitlines()[1:]
        for line, (name, value, step, stage) in zip(lines, points, strict=True):
            expected = {"type": "metric", "name": name, "value": value, "step": step}
            expected["time"] = 1764752000.123456
            if stage is not None:
                expected["stage"] = stage
            assert line == json.dumps(expected, ensure_ascii=False, allow_nan=False)
        journal.remove()


def test_the_kept_fold_is_what_reading_the_file_gives(project: Project) -> None:
    with nbvc.start_run(name="kept", tags={"a": 1}) as run:
        for step in range(5):
            nbvc.log_metric("loss", np.float64(1 / (step + 1)), step=4 - step)  # out of order
            nbvc.log_metric("count", np.int64(step))
        nbvc.log_param("lr", 0.1)
        nbvc.log_dict({"k": [1, 2]}, "conf.json")
        nbvc.set_note("a note")
        _, kept = run.journal.folded()
        assert kept == fold(run.journal.events())
        assert kept.series["loss"][0][:2] == [0, 0.2] and kept.metrics["count"] == 4
        assert kept.name == "kept" and kept.tags == {"a": "1"} and kept.note == "a note"


def test_lines_another_process_appends_reach_the_record(project: Project) -> None:
    """While a run is open, ``nbvc runs tag`` (another process) and a child process logging
    to the same journal add lines the owner did not write: the record must have them."""
    with nbvc.start_run() as run:
        nbvc.log_metric("loss", 1.0)
        child = (
            "import sys, json\n"
            "from nbvc.core import Repo\n"
            "from nbvc.core.runs.journal import Journal\n"
            "with Repo.open(sys.argv[1]) as repo:\n"
            "    j = Journal.of(repo, sys.argv[2])\n"
            "    j.append_metric('loss', 0.5, 1, 1.0, 'child')\n"
            "    j.append({'type': 'param', 'name': 'from_child', 'value': 1})\n"
        )
        subprocess.run(
            [sys.executable, "-c", child, str(project.root), run.id],
            check=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        assert project.nbvc("runs", "tag", run.id, "by=cli").code == 0
        nbvc.log_metric("loss", 0.25)
    with project.repo() as repo:
        record = repo.runs.get(run.id)
    assert [p[:2] for p in record.series["loss"]] == [[0, 1.0], [1, 0.5], [1, 0.25]]
    assert record.params == {"logged": {"from_child": 1}}
    assert record.tags == {"by": "cli"}


def test_the_environment_is_taken_when_the_run_starts(project: Project) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project.root, check=True)
    project.write("train.py", "print(1)\n")
    subprocess.run(["git", "add", "train.py"], cwd=project.root, check=True)
    subprocess.run(["git", "commit", "-qm", "first"], cwd=project.root, check=True)
    project.write("train.py", "print(2)\n")
    with nbvc.start_run() as parent:
        with nbvc.start_run(nested=True) as child:
            nbvc.log_metric("acc", 0.5)
        project.write("train.py", "print(3)\n")  # after the start: not this run's code
    with project.repo() as repo:
        for run_id in (parent.id, child.id):
            diff = repo.runs.artifact_bytes(run_id, "git.diff").decode()
            assert "+print(2)" in diff and "print(3)" not in diff
            assert repo.runs.get(run_id).env["git_dirty"] is True
