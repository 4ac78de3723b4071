"""`nbvc runs`: the table, JSON, sorting by a metric and limits."""

from __future__ import annotations

import json

import pytest

from tests.pipeline.kit import Project, ml_pipeline, set_param


def three_runs(project: Project) -> list[str]:
    ml_pipeline(project)
    ids = []
    for lr in (0.1, 0.3, 0.2):
        set_param(project, "train", "lr", lr)
        ids.append(project.repro().run_id or "")
    return ids


def test_table_lists_runs_newest_first_with_params_and_metrics(project: Project) -> None:
    ids = three_runs(project)
    groups, *lines = project.nbvc("runs").out.splitlines()
    assert groups.split()[::2] == ["params", "metrics"]  # over the two groups of columns
    header = lines[0].split()
    assert header[:6] == ["run", "name", "started", "status", "time", "git"]
    assert {"prepare.split", "train.lr", "train.epochs", "rows", "acc", "n", "loss"} <= set(header)
    assert [line.split()[0] for line in lines[1:]] == [i.rsplit("-", 1)[1] for i in reversed(ids)]
    lr = header.index("train.lr") + 1  # "started" holds a date and a time
    assert [line.split()[lr] for line in lines[1:]] == ["0.2", "0.3", "0.1"]


def test_sort_by_metric_and_limit(project: Project) -> None:
    ids = three_runs(project)
    by_loss = json.loads(project.nbvc("runs", "--json", "--sort", "loss").out)
    losses = [r["metrics"]["logged"]["loss"] for r in by_loss]
    assert losses == sorted(losses)  # loss: lower is better, so lowest first by default
    for descending in ("--sort=-loss", "--sort=loss:desc"):
        highest = json.loads(project.nbvc("runs", "--json", descending).out)
        assert [r["metrics"]["logged"]["loss"] for r in highest] == sorted(losses, reverse=True)
    for ascending in ("+loss", "loss:asc"):
        lowest_first = json.loads(project.nbvc("runs", "--json", "--sort", ascending).out)
        assert [r["id"] for r in lowest_first] == [r["id"] for r in by_loss]
    lowest = json.loads(project.nbvc("runs", "--json", "--sort", "loss", "--asc", "-n", "1").out)
    assert [r["id"] for r in lowest] == [ids[1]]  # lr 0.3 gives the lowest loss
    assert lowest[0]["short_id"] == ids[1].rsplit("-", 1)[1]
    qualified = json.loads(project.nbvc("runs", "--json", "--sort", "logged:loss").out)
    assert [r["id"] for r in qualified] == [r["id"] for r in by_loss]
    newest = json.loads(project.nbvc("runs", "--json", "--limit", "2").out)
    assert [r["id"] for r in newest] == [ids[2], ids[1]]


def test_sort_errors(project: Project) -> None:
    three_runs(project)
    project.write("other.json", json.dumps({"acc": 1}))
    project.write(
        "nbvc.yaml",
        project.read("nbvc.yaml") + "metrics:\n  - other.json\n",
    )
    set_param(project, "train", "lr", 0.4)  # a repro that runs something records a run
    project.repro()
    ambiguous = project.nbvc("runs", "--sort", "acc")
    assert ambiguous.code == 1
    assert "metric 'acc' is in several places (metrics.json, other.json)" in ambiguous.err
    missing = project.nbvc("runs", "--sort", "f1")
    assert missing.code == 1 and "no run has a metric 'f1'" in missing.err
    with pytest.raises(SystemExit) as zero:  # a usage error, as every option's minimum
        project.nbvc("runs", "--limit", "0")
    assert zero.value.code == 2


def test_no_runs(project: Project) -> None:
    assert project.nbvc("runs").out.startswith("No runs yet")
    assert project.nbvc("runs", "--json").out.strip() == "[]"
