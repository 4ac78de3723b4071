"""nbvc.log_param / log_params / log_metric and the runs they create."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

import nbvc
from nbvc.core.errors import LoggingError, NotARepoError
from nbvc.core.runs import logging as runlog
from tests.pipeline.kit import Project


@pytest.fixture(autouse=True)
def no_open_run() -> Iterator[None]:
    yield
    if runlog._active is not None:  # a test that failed midway leaves its run open
        runlog._active.end()


def test_logging_outside_a_repro_creates_a_run_of_this_process(project: Project) -> None:
    nbvc.log_param("lr", 0.1)
    nbvc.log_params({"layers": [8, 4], "opt": {"name": "adam"}})
    for loss in (1.0, 0.5, 0.25):
        nbvc.log_metric("loss", loss)
    nbvc.log_metric("acc", 0.9, step=10)
    nbvc.log_metric("acc", float("nan"), step=11)
    run = nbvc.active_run()
    assert run is not None
    listing = project.nbvc("runs", "--json")
    (open_run,) = [r for r in json.loads(listing.out) if r["id"] == run.id]
    assert open_run["status"] == "running"
    record = nbvc.end_run()
    assert record is not None and record.id == run.id
    assert record.source == "python" and record.status == "completed"
    assert record.params == {"logged": {"lr": 0.1, "layers": [8, 4], "opt": {"name": "adam"}}}
    assert record.metrics == {"logged": {"loss": 0.25, "acc": None}}
    assert [p[:2] for p in record.series["loss"]] == [[0, 1.0], [1, 0.5], [2, 0.25]]
    assert [p[:2] for p in record.series["acc"]] == [[10, 0.9], [11, None]]
    assert project.run(run.id)["id"] == run.id
    assert not list(project.path(".nbvc/tmp/runs").iterdir())  # the journal is gone
    assert nbvc.active_run() is None


def test_the_next_call_starts_a_new_run(project: Project) -> None:
    nbvc.log_metric("x", 1)
    first = nbvc.end_run()
    nbvc.log_metric("x", 2)
    second = nbvc.end_run()
    assert first and second and first.id != second.id
    assert second.series["x"][0][:2] == [0, 2]


def test_a_run_used_as_a_context_manager_records_failure(project: Project) -> None:
    with pytest.raises(RuntimeError), nbvc.start_run() as run:
        run.log_metric("step_loss", 3)
        raise RuntimeError("boom")
    record = project.run(run.id)
    assert record["status"] == "failed"
    assert record["metrics"]["logged"] == {"step_loss": 3}


def test_a_script_that_just_logs_gets_its_run_written_at_exit(project: Project) -> None:
    project.write(
        "script.py",
        "import nbvc\nnbvc.log_param('seed', 1)\nfor i in range(3):\n"
        "    nbvc.log_metric('loss', 1 / (i + 1))\n",
    )
    subprocess.run([sys.executable, "script.py"], cwd=project.root, check=True)
    listing = project.nbvc("runs")
    assert listing.code == 0
    lines = listing.out.splitlines()[1:]  # below the params/metrics group titles
    assert lines[0].split()[:6] == ["run", "name", "started", "status", "time", "git"]
    assert "seed" in lines[0] and "loss" in lines[0]
    assert "completed" in lines[1] and lines[1].split()[-2:] == ["1", "0.333333"]
    shown = project.nbvc("metrics", "show", "last").out.splitlines()
    assert shown[1].split() == ["logged", "by", "script.py", "loss", "0.333333"]


def test_bad_values_are_refused_with_a_clear_message(project: Project) -> None:
    with pytest.raises(LoggingError, match="metric 'acc' must be a number"):
        nbvc.log_metric("acc", "high")
    with pytest.raises(LoggingError, match="metric 'acc' must be a number"):
        nbvc.log_metric("acc", True)
    with pytest.raises(LoggingError, match=r"param 'model': .* cannot be stored"):
        nbvc.log_param("model", object())
    with pytest.raises(LoggingError, match="step of metric 'acc'"):
        nbvc.log_metric("acc", 1.0, step=-1)
    with pytest.raises(LoggingError, match="non-empty string"):
        nbvc.log_metric("", 1.0)


def test_logging_outside_a_repo_says_what_to_do(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    with pytest.raises(NotARepoError, match="nbvc init"):
        nbvc.log_metric("loss", 1.0)


def test_a_stage_script_logs_into_the_repro_run_even_with_start_run(project: Project) -> None:
    project.write(
        "fit.py",
        "import nbvc\n"
        "with nbvc.start_run() as run:\n"
        "    run.log_param('depth', 3)\n"
        "    nbvc.log_metric('score', 0.75)\n"
        "open('fit.out', 'w').write(run.id)\n",
    )
    project.write("nbvc.yaml", "stages:\n  fit:\n    cmd: python fit.py\n    outs: [fit.out]\n")
    result = project.repro()
    assert project.read("fit.out") == result.run_id
    record = project.run(result.run_id or "")
    assert record["params"]["logged"] == {"depth": 3}
    assert record["metrics"]["logged"] == {"score": 0.75}
    assert len(json.loads(project.nbvc("runs", "--json").out)) == 1  # no second run
