"""params diff, metrics show and metrics diff between runs, the workspace and git revisions."""

from __future__ import annotations

import json

import pytest

from tests.pipeline.kit import Project, ml_pipeline, set_param


@pytest.fixture
def two_runs(project: Project) -> tuple[Project, str, str]:
    ml_pipeline(project)
    first = project.repro().run_id or ""
    set_param(project, "train", "lr", 0.2)
    set_param(project, "train", "epochs", 5)
    second = project.repro().run_id or ""
    return project, first, second


def test_params_diff_between_two_runs(two_runs: tuple[Project, str, str]) -> None:
    project, first, second = two_runs
    short_a, short_b = first.rsplit("-", 1)[1], second.rsplit("-", 1)[1]
    result = project.nbvc("params", "diff", short_a, second)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["path", "param", short_a, short_b, "change", "%"]
    assert lines[1].split() == ["params.yaml", "train.epochs", "3", "5", "+2", "+66.6667%"]
    assert lines[2].split() == ["params.yaml", "train.lr", "0.1", "0.2", "+0.1", "+100%"]
    assert len(lines) == 3  # the logged param `rows` did not change


def test_last_and_last_tilde_n_name_runs_newest_first(two_runs: tuple[Project, str, str]) -> None:
    project, first, second = two_runs
    by_id = project.nbvc("params", "diff", first, second, "--json").out
    assert project.nbvc("params", "diff", "last~1", "last", "--json").out == by_id
    result = project.nbvc("params", "diff", "last~2", "last")
    assert result.code != 0 and "fewer than 3 runs" in result.err


def test_metrics_diff_between_runs_includes_logged_metrics(
    two_runs: tuple[Project, str, str],
) -> None:
    project, first, second = two_runs
    doc = json.loads(project.nbvc("metrics", "diff", first, second, "--json").out)
    rows = {(r["path"], r["name"]): r for r in doc["metrics"]}
    loss = rows[("logged", "loss")]
    assert loss["old"] == pytest.approx(3.3333) and loss["new"] == pytest.approx(1.0)
    assert loss["change"] == pytest.approx(-2.3333) and loss["percent"] == pytest.approx(-70, 0.01)
    assert ("metrics.json", "n") not in rows  # unchanged rows only without --all
    everything = json.loads(project.nbvc("metrics", "diff", first, second, "--all", "--json").out)
    assert ("metrics.json", "n") in {(r["path"], r["name"]) for r in everything["metrics"]}


def test_default_is_last_run_against_the_workspace(two_runs: tuple[Project, str, str]) -> None:
    project, _, second = two_runs
    assert project.nbvc("metrics", "diff").out.startswith("No metrics changed between")
    project.write("metrics.json", json.dumps({"acc": 0.5, "n": 10}))
    set_param(project, "train", "lr", 0.4)
    metrics = project.nbvc("metrics", "diff", "--md").out.splitlines()
    short = second.rsplit("-", 1)[1]
    assert metrics[0] == f"| path | metric | {short} | workspace | change | % |"
    assert metrics[1] == "| --- | --- | --- | --- | --- | --- |"
    assert metrics[2].startswith("| metrics.json | acc | ") and "| 0.5 |" in metrics[2]
    assert len(metrics) == 3  # logged metrics are not compared with the workspace
    params = project.nbvc("params", "diff").out.splitlines()
    assert params[1].split() == ["params.yaml", "train.lr", "0.2", "0.4", "+0.2", "+100%"]


def test_metrics_show(two_runs: tuple[Project, str, str]) -> None:
    project, first, _ = two_runs
    shown = project.nbvc("metrics", "show").out.splitlines()
    assert shown[0].split() == ["path", "metric", "workspace"]
    assert {line.split()[1] for line in shown[1:]} == {"acc", "n"}
    of_run = json.loads(project.nbvc("metrics", "show", first, "--json").out)
    assert set(of_run["metrics"]) == {"metrics.json", "logged"}
    table = project.nbvc("metrics", "show", first).out.splitlines()
    assert table[0].split() == ["path", "metric", first.rsplit("-", 1)[1]]
    # the file column says what logged a metric from code, not just `logged`
    assert table[1].split()[:4] == ["logged", "by", "repro", "loss"]


def test_metrics_diff_file_column_names_what_logged_a_metric(
    two_runs: tuple[Project, str, str],
) -> None:
    project, first, second = two_runs
    lines = project.nbvc("metrics", "diff", first, second).out.splitlines()
    logged = [line for line in lines if " loss " in line]
    assert len(logged) == 1 and logged[0].startswith("logged by repro  loss"), lines


def test_unknown_reference(two_runs: tuple[Project, str, str]) -> None:
    project, _, _ = two_runs
    result = project.nbvc("metrics", "diff", "nosuchrun")
    assert result.code == 1
    assert "'nosuchrun' is not a run id, 'last', 'last~N', 'workspace'" in result.err


def test_no_runs_yet(project: Project) -> None:
    result = project.nbvc("params", "diff")
    assert result.code == 1 and "there are no runs yet" in result.err


def test_diff_between_git_revisions(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }.items():
        monkeypatch.setenv(key, value)
    project.git("init", "-q", ".")
    project.write("params.yaml", "model:\n  depth: 2\n")
    project.write(
        "nbvc.yaml",
        """\
        stages:
          fit:
            cmd: python fit.py
            deps: [fit.py]
            params: [model.depth]
            metrics:
              - summary.json: {cache: false}
              - score.json
        """,
    )
    project.write(
        "fit.py",
        "import json, yaml\n"
        "d = yaml.safe_load(open('params.yaml'))['model']['depth']\n"
        "json.dump({'auc': d / 10}, open('summary.json', 'w'))\n"
        "json.dump({'score': d * 3}, open('score.json', 'w'))\n",
    )
    project.repro()
    project.git("add", "-A")
    project.git("commit", "-qm", "depth 2")
    assert "score.json" in project.read(".gitignore")  # cached metrics live in nbvc, not git
    project.write("params.yaml", "model:\n  depth: 4\n")
    project.repro()
    project.git("commit", "-qam", "depth 4")
    metrics = project.nbvc("metrics", "diff", "HEAD~1", "HEAD").out.splitlines()
    assert metrics[0].split() == ["path", "metric", "HEAD~1", "HEAD", "change", "%"]
    assert metrics[1].split() == ["summary.json", "auc", "0.2", "0.4", "+0.2", "+100%"]
    assert metrics[2].split() == ["score.json", "score", "6", "12", "+6", "+100%"]
    params = project.nbvc("params", "diff", "HEAD~1").out.splitlines()
    assert params[1].split() == ["params.yaml", "model.depth", "2", "4", "+2", "+100%"]
    last_run = project.nbvc("runs", "--json")
    run_id = json.loads(last_run.out)[0]["id"]
    against_run = project.nbvc("metrics", "diff", "HEAD~1", run_id).out.splitlines()
    assert against_run[1].split()[:4] == ["summary.json", "auc", "0.2", "0.4"]
    assert json.loads(last_run.out)[0]["env"]["git"] == project.git("rev-parse", "HEAD~1").strip()
