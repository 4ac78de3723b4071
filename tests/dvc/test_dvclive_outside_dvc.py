"""dvclive in an nbvc pipeline of a project that is not a DVC project: its folder, a declared
out, is read into the run (metrics and steps), and dvclive sees a pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pipeline.kit import Project, make_project, python_on_path


@pytest.fixture
def nbvc_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """An nbvc repo (no DVC, no git) as the current folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", python_on_path())
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE", "DVC_ROOT", "DVC_STAGE"):
        monkeypatch.delenv(name, raising=False)
    return make_project(tmp_path)


TRAIN = """\
import os
from dvclive import Live
open("env.json", "w").write(__import__("json").dumps(
    {k: os.environ.get(k) for k in ("DVC_ROOT", "DVC_STAGE")}))
with Live("logs") as live:
    for step in range(3):
        live.log_metric("train/loss", 1.0 / (step + 1))
        live.log_metric("acc", 0.5 + step / 10)
        live.next_step()
"""


def test_a_dvclive_folder_out_is_read_into_the_run(nbvc_project: Project) -> None:
    project = nbvc_project
    project.write("train.py", TRAIN)
    project.write(
        "nbvc.yaml",
        """\
        stages:
          train:
            cmd: python train.py
            deps: [train.py]
            outs:
              - logs: {cache: false}
              - env.json: {cache: false}
        """,
    )
    result = project.repro()
    assert not result.failed, result.outcomes
    env = project.json("env.json")
    assert env == {"DVC_ROOT": str(project.root), "DVC_STAGE": "train"}
    record = project.run(result.run_id or "")
    assert record["metrics"]["logs/metrics.json"]["acc"] == 0.7
    assert record["metrics"]["logs/metrics.json"]["train.loss"] == 1 / 3
    assert [p[:2] for p in record["series"]["train/loss"]] == [[0, 1.0], [1, 0.5], [2, 1 / 3]]
    assert [p[0] for p in record["series"]["acc"]] == [0, 1, 2]
    assert not project.path(".dvc/config").exists()  # dvclive made no DVC project
    shown = json.loads(project.nbvc("runs", "--json").out)[0]
    assert shown["metrics"]["logs/metrics.json"]["acc"] == 0.7
