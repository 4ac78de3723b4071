"""Sweeps run inline: isolation, records, the run cache, failures, show."""

from __future__ import annotations

import pytest

from nbvc.core.runs.run_record import read_run
from tests.experiments.kit import git_state, workspace_state
from tests.pipeline.kit import Project


def test_a_sweep_runs_each_point_apart_and_leaves_the_workspace_alone(exp: Project) -> None:
    before, git_before = workspace_state(exp), git_state(exp)
    done = exp.nbvc("exp", "run", "-S", "train.lr=0.01,0.05,0.1", "--name", "lr")
    assert done.code == 0, done.err
    assert workspace_state(exp) == before
    assert git_state(exp) == git_before
    with exp.repo() as repo:
        table = repo.experiments.table("lr")
        assert [row.status for row in table.rows] == ["completed"] * 3
        assert [row.params["train.lr"] for row in table.rows] == [0.01, 0.05, 0.1]
        losses = {row.params["train.lr"]: row.metrics["loss"] for row in table.rows}
        assert losses[0.05] == 0.5 and losses[0.01] > 0.5
        assert table.best["loss"] == table.rows[1].id  # lower is better for a loss
        run = read_run(repo, table.rows[0].id)
        assert run.extra["experiment"]["sweep"] == table.sweep.id
        assert run.params["params.yaml"]["train.lr"] == 0.01
        assert run.stages["train"]["status"] == "ran"
        sweep = read_run(repo, table.sweep.id)
        assert sweep.source == "sweep" and sweep.status.value == "completed"
    assert "lr-2" in done.out and "0.5*" in done.out


def test_identical_points_come_from_the_run_cache(exp: Project) -> None:
    assert exp.nbvc("exp", "run", "-S", "train.lr=0.02").code == 0
    again = exp.nbvc("exp", "run", "-S", "train.lr=0.02")
    assert again.code == 0, again.err
    with exp.repo() as repo:
        (row,) = repo.experiments.table().rows
        assert read_run(repo, row.id).stages["train"]["status"] == "restored"


def test_a_point_the_workspace_already_holds_is_an_experiment_too(exp: Project) -> None:
    assert exp.nbvc("repro").code == 0  # the workspace is up to date at lr=0.1
    done = exp.nbvc("exp", "run", "-S", "train.lr=0.1", "-n", "same")
    assert done.code == 0, done.err
    with exp.repo() as repo:
        (row,) = repo.experiments.table("same").rows
        run = read_run(repo, row.id)
    assert row.status == "completed" and row.metrics["loss"] == 1.0
    assert run.stages["train"]["status"] == "skipped"
    assert run.stages["train"]["outs"]["model.bin"]["oid"]  # what apply brings back


def test_a_failing_point_is_recorded_with_its_log_and_the_others_finish(exp: Project) -> None:
    done = exp.nbvc("exp", "run", "-S", "train.epochs=0,3")
    assert done.code == 1
    with exp.repo() as repo:
        failed, ok = repo.experiments.table().rows
        assert (failed.status, ok.status) == ("failed", "completed")
        details = read_run(repo, failed.id).extra["experiment"]
        assert "ZeroDivisionError" in details["log"]
        assert "exit code" in details["error"]
    assert "exit code" in done.err


def test_uncommitted_and_untracked_code_is_what_runs(exp: Project) -> None:
    exp.write("helper.py", "BONUS = 100\n")  # untracked, not ignored
    exp.write(
        "train.py",
        exp.read("train.py").replace(
            "loss = round(", "import helper\nloss = helper.BONUS + round("
        ),
    )
    assert exp.nbvc("exp", "run", "-S", "train.lr=0.05").code == 0
    with exp.repo() as repo:
        (row,) = repo.experiments.table().rows
        code = read_run(repo, row.id).extra["experiment"]["code"]
    assert row.metrics["loss"] == 100.5
    assert code["dirty"] is True and code["git"] == exp.git("rev-parse", "HEAD").strip()


def test_the_scheduler_can_come_from_the_config(exp: Project) -> None:
    from nbvc.core.errors import ExperimentError
    from nbvc.core.experiments.executors import DaskExecutor, InlineExecutor
    from nbvc.core.experiments.sweep import executor_for

    with exp.repo() as repo:
        assert isinstance(executor_for(repo, None, None), InlineExecutor)
    with open(exp.path(".nbvc/config"), "a") as config:
        config.write('\n[exp]\nscheduler = "tcp://10.0.0.5:8786"\n')
    with exp.repo() as repo:
        chosen = executor_for(repo, None, None)
        assert isinstance(chosen, DaskExecutor) and chosen.scheduler == "tcp://10.0.0.5:8786"
        with pytest.raises(ExperimentError, match="not both"):
            executor_for(repo, 2, None)
