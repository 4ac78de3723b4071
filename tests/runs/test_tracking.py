"""Runs as MLflow and W&B users expect them: no noise from repros, names, tags, notes, nested
runs, soft delete, crashed runs, logged files and figures, the environment, `runs diff`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import nbvc
from nbvc.core import LoggingError, RunStatus
from nbvc.core.runs import logging as runlog
from nbvc.core.runs.run_record import RunRecord, write_run
from tests.pipeline.kit import Project, ml_pipeline, set_param


@pytest.fixture(autouse=True)
def no_open_run() -> Iterator[None]:
    yield
    while runlog._active is not None and runlog._active.owned:
        runlog._active.end()
    runlog._active = None


# -- noise ------------------------------------------------------------------------------------
def test_a_failed_repro_keeps_no_metrics_of_an_earlier_run(project: Project) -> None:
    ml_pipeline(project)
    first = project.repro()
    assert project.run(first.run_id or "")["metrics"]["metrics.json"]["acc"] is not None
    set_param(project, "train", "lr", 0.5)
    project.write("train.py", "raise SystemExit('training diverged')\n")
    failed = project.repro()
    assert failed.status is RunStatus.FAILED and failed.run_id
    record = project.run(failed.run_id)
    assert "metrics.json" not in record["metrics"]  # evaluate did not run: its old metrics stay out
    assert record["plots"] == []
    assert project.path("metrics.json").exists()  # ...though the file is still in the workspace


def test_runs_record_which_stages_ran_were_skipped_or_restored(project: Project) -> None:
    ml_pipeline(project)
    project.repro()
    set_param(project, "train", "lr", 0.2)
    result = project.repro()
    with project.repo() as repo:
        run = repo.runs.get(result.run_id or "")
    assert run.stage_statuses() == {"skipped": ["prepare"], "ran": ["evaluate", "train"]}
    shown = project.nbvc("runs", "show", run.id)
    assert "ran      evaluate, train" in shown.out and "skipped  prepare" in shown.out
    set_param(project, "train", "lr", 0.1)  # back to the first run's params: from the run cache
    restored = project.repro()
    with project.repo() as repo:
        statuses = repo.runs.get(restored.run_id or "").stage_statuses()
    assert statuses["restored"] == ["evaluate", "train"]


# -- names, tags, notes, nesting, deleting ------------------------------------------------------
def test_runs_get_readable_names_tags_and_notes(project: Project) -> None:
    with nbvc.start_run(tags={"team": "churn"}, note="baseline") as run:
        nbvc.set_tags({"stage": "dev"})
        nbvc.log_metric("acc", 0.8)
    with project.repo() as repo:
        record = repo.runs.get(run.id)
        assert record.name and len(record.name.split("-")) == 3  # e.g. brisk-otter-42
        assert record.tags == {"team": "churn", "stage": "dev"} and record.note == "baseline"
        repo.runs.rename(run.id, "first try")
        repo.runs.set_tags(run.id, {"stage": "prod", "team": None})
        repo.runs.set_note(run.id, "the one we ship")
        record = repo.runs.get(run.id)
    assert (record.name, record.tags) == ("first try", {"stage": "prod"})
    assert record.note == "the one we ship"
    assert project.nbvc("runs", "tag", run.id, "owner=ana").code == 0
    listed = json.loads(project.nbvc("runs", "--json").out)
    assert listed[0]["tags"] == {"stage": "prod", "owner": "ana"}
    assert project.run(run.id).get("tags") == {"team": "churn", "stage": "dev"}  # record immutable
    # the index can be rebuilt from the records, edits included
    project.path(".nbvc/index.db").unlink()
    with project.repo() as repo:
        assert repo.runs.get(run.id).name == "first try"


def test_nested_runs_have_a_parent_and_the_parent_comes_back(project: Project) -> None:
    with nbvc.start_run(name="cv") as parent:
        for fold in range(3):
            with nbvc.start_run(nested=True, name=f"fold-{fold}") as child:
                nbvc.log_metric("acc", 0.7 + fold / 10)
            assert nbvc.active_run() is parent
        nbvc.log_metric("mean_acc", 0.8)
    with project.repo() as repo:
        children = repo.runs.search(f"attributes.parent = '{parent.id}'")
        assert sorted(c["name"] for c in children) == ["fold-0", "fold-1", "fold-2"]
        assert repo.runs.get(child.id).parent == parent.id
        assert repo.runs.get(parent.id).metrics == {"logged": {"mean_acc": 0.8}}


def test_delete_hides_restore_brings_back_gc_purges(project: Project) -> None:
    with nbvc.start_run() as junk:
        nbvc.log_text("scratch", "notes.txt")
    with nbvc.start_run() as kept:
        nbvc.log_metric("x", 1)
    assert project.nbvc("runs", "delete", junk.id).code == 0
    listed = [r["id"] for r in json.loads(project.nbvc("runs", "--json", "--sort", "started").out)]
    assert junk.id not in listed and kept.id in listed
    table = project.nbvc("runs").out
    assert junk.id.rsplit("-", 1)[1] not in table and kept.id.rsplit("-", 1)[1] in table
    assert junk.id.rsplit("-", 1)[1] in project.nbvc("runs", "--deleted").out
    assert project.nbvc("runs", "restore", junk.id).code == 0
    assert junk.id.rsplit("-", 1)[1] in project.nbvc("runs").out
    project.nbvc("runs", "delete", junk.id)
    with project.repo() as repo:
        oid = repo.runs.get(junk.id).artifacts[0].oid
        assert repo.odb.exists(oid)
    assert project.nbvc("gc").code == 0
    with project.repo() as repo:
        assert not repo.odb.exists(oid)  # the deleted run's files went with it
        assert not repo.records.exists("runs", junk.id)
        assert repo.runs.get(kept.id).id == kept.id
    gone = project.nbvc("runs", "show", junk.id)
    assert gone.code == 1 and "no run" in gone.err


def test_a_process_that_died_leaves_its_run_failed_not_running(project: Project) -> None:
    project.write(
        "crash.py",
        "import os, signal, nbvc\nnbvc.start_run(name='doomed')\nnbvc.log_metric('loss', 0.5)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n",
    )
    done = subprocess.run([sys.executable, "crash.py"], cwd=project.root, check=False)
    assert done.returncode == -signal.SIGKILL
    with project.repo() as repo:
        assert repo.runs.open() == []  # finished as failed on the next look
        (run,) = repo.runs.query()
    assert run.status is RunStatus.FAILED and run.name == "doomed"
    assert run.extra["crashed"] is True and run.metrics == {"logged": {"loss": 0.5}}
    assert "(crashed)" in project.nbvc("runs", "show", run.id).out


# -- logging files, figures, images, dicts, tables, text -----------------------------------------
def test_logged_files_figures_images_dicts_tables_and_text(
    project: Project, tmp_path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go

    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "a.txt").write_text("a")
    (outside / "sub" / "b.txt").write_text("b")
    project.write("report.md", "# report\n")
    figure, axes = plt.subplots()
    axes.plot([1, 2, 3])
    with nbvc.start_run() as run:
        nbvc.log_artifact("report.md")
        nbvc.log_artifact(str(outside), name="folder")
        nbvc.log_figure(figure, "curve")
        nbvc.log_figure(go.Figure(go.Scatter(y=[3, 1, 2])), "interactive")
        for step in range(2):
            nbvc.log_image(np.full((4, 5, 3), step / 2.0), "sample", step=step)
        nbvc.log_dict({"classes": ["a", "b"], "n": np.int64(2)}, "labels")
        nbvc.log_table(pd.DataFrame({"x": [1, 2], "y": [0.5, float("nan")]}), "preds")
        nbvc.log_text("all good", "summary.txt")
        with pytest.raises(LoggingError, match="no such file"):
            nbvc.log_artifact("missing.bin")
        with pytest.raises(LoggingError, match="not a matplotlib or plotly figure"):
            nbvc.log_figure(object(), "bad")
    plt.close(figure)
    with project.repo() as repo:
        record = repo.runs.get(run.id)
        kinds = {(a.name, a.kind, a.step) for a in record.artifacts}
        assert {
            ("report.md", "file", None),
            ("folder", "folder", None),
            ("curve.png", "figure", None),
            ("interactive.plotly.json", "figure", None),
            ("sample.png", "image", 0),
            ("sample.png", "image", 1),
            ("labels.json", "dict", None),
            ("preds.json", "table", None),
            ("summary.txt", "text", None),
        } <= kinds
        assert repo.runs.artifact_bytes(run.id, "curve.png")[:8] == b"\x89PNG\r\n\x1a\n"
        plotted = json.loads(repo.runs.artifact_bytes(run.id, "interactive.plotly.json"))
        assert plotted["data"][0]["y"] == [3, 1, 2]
        assert json.loads(repo.runs.artifact_bytes(run.id, "labels.json")) == {
            "classes": ["a", "b"],
            "n": 2,
        }
        table = json.loads(repo.runs.artifact_bytes(run.id, "preds.json"))
        assert table == {"columns": ["x", "y"], "data": [[1, 0.5], [2, None]]}
        assert repo.runs.artifact_bytes(run.id, "summary.txt") == b"all good"
    out = project.root / "copy"
    assert project.nbvc("runs", "get", run.id, "folder", "-o", str(out)).code == 0
    assert (out / "sub" / "b.txt").read_text() == "b"
    assert project.nbvc("gc").code == 0  # objects of a live run are kept
    with project.repo() as repo:
        assert all(repo.odb.exists(a.oid) for a in repo.runs.get(run.id).artifacts)


# -- environment and diff -------------------------------------------------------------------------
def test_the_environment_is_captured_and_diffed(project: Project) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project.root, check=True)
    project.write("train.py", "print(1)\n")
    subprocess.run(["git", "add", "train.py"], cwd=project.root, check=True)
    subprocess.run(["git", "commit", "-qm", "first"], cwd=project.root, check=True)
    project.write("train.py", "print(2)\n")  # uncommitted
    with nbvc.start_run() as first:
        nbvc.log_param("lr", 0.1)
        nbvc.log_metric("acc", 0.8)
    with project.repo() as repo:
        run = repo.runs.get(first.id)
        env = run.env
        assert env["python"] and env["os"] and env["cpu_count"] and env["command"]
        assert env["packages"]["pytest"] and env["packages"]["blake3"]
        assert env["git"] and env["git_dirty"] is True
        diff = repo.runs.artifact_bytes(first.id, "git.diff").decode()
        assert "-print(1)" in diff and "+print(2)" in diff
        older_env = {**env, "packages": {**env["packages"], "pytest": "7.0.0", "gone": "1.0"}}
        older = write_run(
            repo,
            RunRecord(
                "0000000000000001-aaaa1111",
                source="python",
                env=older_env,
                params={"logged": {"lr": 0.2}},
                metrics={"logged": {"acc": 0.8}},
            ),
        )
        result = repo.runs.diff(older.id, first.id)
    assert [(c.key, c.old, c.new) for c in result.params] == [("logged:lr", 0.2, 0.1)]
    assert result.metrics == []
    packages = {c.key: (c.old, c.new) for c in result.packages}
    assert packages == {"gone": ("1.0", None), "pytest": ("7.0.0", env["packages"]["pytest"])}
    shown = project.nbvc("runs", "diff", older.id, first.id)
    assert "pytest" in shown.out and "logged:lr" in shown.out
    assert "packages (" in project.nbvc("runs", "show", first.id, "--env").out


# -- system metrics ---------------------------------------------------------------------------
def test_system_metrics_are_sampled_as_series(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NBVC_SYSTEM_METRICS_INTERVAL", "0.05")
    with nbvc.start_run(log_system_metrics=True) as run:
        time.sleep(0.3)
    with project.repo() as repo:
        record = repo.runs.get(run.id)
    cpu = record.series["system/cpu_percent"]
    assert len(cpu) >= 3 and [p[0] for p in cpu] == list(range(len(cpu)))
    for name in ("memory_used_mb", "disk_read_mb", "network_sent_mb", "process_memory_mb"):
        assert f"system/{name}" in record.series
    assert 0 <= record.metrics["logged"]["system/cpu_percent"] <= 100 * (os.cpu_count() or 1)
    monkeypatch.setenv("NBVC_SYSTEM_METRICS_INTERVAL", "soon")
    with pytest.raises(LoggingError, match="number of seconds"):
        nbvc.start_run(log_system_metrics=True)
