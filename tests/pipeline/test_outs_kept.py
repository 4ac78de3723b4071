"""A stage's outs are removed before it runs, but never a file nbvc has no copy of: a failing
run puts them back, and what a run replaced stays reachable (and safe from gc)."""

from __future__ import annotations

from nbvc.core.pipeline.outcome import FAILED, RAN
from tests.pipeline.kit import Project

FAILING = """\
stages:
  train:
    cmd: python train.py
    deps: [train.py]
    outs:
      - model.pkl
      - results
      - metrics.json: {cache: false}
"""


def failing_project(project: Project) -> Project:
    project.write("nbvc.yaml", FAILING)
    project.write(
        "train.py", "import os\nos.makedirs('results', exist_ok=True)\nraise SystemExit(2)\n"
    )
    project.write("model.pkl", "a model I made by hand")
    project.write("results/notes.txt", "my notes")
    project.write("metrics.json", '{"acc": 0.5}')
    return project


def test_a_failing_stage_puts_back_the_outs_it_removed(project: Project) -> None:
    failing_project(project)
    result = project.repro()
    assert result.outcome("train").status == FAILED
    assert project.read("model.pkl") == "a model I made by hand"
    assert project.read("results/notes.txt") == "my notes"
    assert project.read("metrics.json") == '{"acc": 0.5}'


def test_what_a_run_replaced_is_kept(project: Project) -> None:
    failing_project(project)
    project.write(
        "train.py",
        "import os\nos.makedirs('results', exist_ok=True)\n"
        "open('model.pkl', 'w').write('trained')\nopen('results/r.txt', 'w').write('r')\n"
        "open('metrics.json', 'w').write('{\"acc\": 0.9}')\n",
    )
    result = project.repro()
    assert result.outcome("train").status == RAN
    assert project.read("model.pkl") == "trained"
    with project.repo() as repo:
        kept = repo.history.by_number("model.pkl", 1)
        assert "kept by repro" in kept.message
        assert repo.gc().removed is not None
        replaced = project.run(result.run_id or "")["stages"]["train"]["replaced"]
        assert set(replaced) == {"model.pkl", "results", "metrics.json"}
        assert all(repo.workspace.has_all(oid, repo.pool()) for oid in replaced.values())
    assert project.nbvc("checkout", "model.pkl@v1").code == 0
    assert project.read("model.pkl") == "a model I made by hand"


def test_a_binary_metrics_file_does_not_lose_the_run(project: Project) -> None:
    project.write(
        "nbvc.yaml",
        "stages:\n  train:\n    cmd: python train.py\n    metrics:\n"
        "      - metrics.json: {cache: false}\n      - scores.yaml: {cache: false}\n",
    )
    project.write(
        "train.py",
        "open('metrics.json', 'wb').write(bytes(range(256)) * 8)\n"
        "open('scores.yaml', 'w').write('a: &a [*a]\\n')\n",
    )
    result = project.repro()
    assert result.outcome("train").status == RAN
    assert result.run_id is not None
    record = project.run(result.run_id)
    assert record["status"] == "completed"
    assert record["metrics"] == {}
    assert any("metrics.json is not UTF-8" in w for w in record["warnings"])
    assert any("scores.yaml" in w and "alias" in w for w in record["warnings"])
    shown = project.nbvc("metrics", "show")
    assert shown.code == 0 or shown.err.startswith("nbvc: error:")
    assert "Traceback" not in shown.err
