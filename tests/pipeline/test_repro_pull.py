"""``nbvc repro --pull``: in a fresh copy of a project, the run cache's hits are fetched from the
remote (records and outputs) and restored, not rerun, as ``dvc repro --pull`` does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import read_tree
from tests.pipeline.kit import CliResult, Project, make_project, ml_pipeline, python_on_path

SOURCES = ("data/raw.csv", "params.yaml", "prepare.py", "train.py", "evaluate.py", "nbvc.yaml")
OUTPUTS = ("model.json", "metrics.json")


@pytest.fixture(autouse=True)
def _stage_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", python_on_path())
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE"):
        monkeypatch.delenv(name, raising=False)


def nbvc_in(project: Project, *args: str) -> CliResult:
    """The CLI run from the project's folder, as a user in that folder runs it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project.root)
        return project.nbvc(*args)


def _pushed_project(root: Path, remote: Path, *push: str) -> Project:
    made = ml_pipeline(make_project(root))
    assert nbvc_in(made, "repro").code == 0
    assert nbvc_in(made, "remote", "add", "store", str(remote), "--default").code == 0
    pushed = nbvc_in(made, "push", *push)
    assert pushed.code == 0, pushed.err
    made.calls()
    return made


def _fresh_copy(made: Project, root: Path, remote: Path) -> Project:
    """The project's sources in a new repo with the same remote: a clone on another machine."""
    copy = make_project(root)
    for rel in SOURCES:
        copy.write(rel, made.read(rel))
    assert nbvc_in(copy, "remote", "add", "store", str(remote), "--default").code == 0
    return copy


def test_a_fresh_copy_restores_every_stage_from_the_remote(tmp_path: Path) -> None:
    remote = tmp_path / "remote"
    made = _pushed_project(tmp_path / "a", remote, "--run-cache")
    copy = _fresh_copy(made, tmp_path / "b", remote)
    done = nbvc_in(copy, "repro", "--pull")
    assert done.code == 0, done.err
    assert copy.calls() == []  # nothing ran: every stage was a hit made on the other machine
    assert "restored" in done.out
    for rel in OUTPUTS:
        assert copy.read(rel) == made.read(rel)
    prepared = {k: v for k, v in read_tree(made.root).items() if k.startswith("data/prepared/")}
    assert {k: v for k, v in read_tree(copy.root).items() if k in prepared} == prepared
    assert nbvc_in(copy, "status").code == 0


def test_a_plain_push_leaves_uncached_outs_behind_so_their_stage_runs(tmp_path: Path) -> None:
    remote = tmp_path / "remote"
    made = _pushed_project(tmp_path / "a", remote)
    copy = _fresh_copy(made, tmp_path / "b", remote)
    assert nbvc_in(copy, "repro", "--pull").code == 0
    # prepare's and train's outs are tracked, so pushed; evaluate's metrics are `cache: false`
    assert copy.calls() == ["evaluate"]
    assert copy.read("metrics.json") == made.read("metrics.json")


def test_without_pull_the_fresh_copy_runs_its_stages(tmp_path: Path) -> None:
    remote = tmp_path / "remote"
    made = _pushed_project(tmp_path / "a", remote)
    copy = _fresh_copy(made, tmp_path / "b", remote)
    assert nbvc_in(copy, "repro").code == 0
    assert copy.calls() == ["prepare", "train", "evaluate"]


def test_outputs_the_remote_lacks_are_made_by_running_the_stage(tmp_path: Path) -> None:
    remote = tmp_path / "remote"
    made = _pushed_project(tmp_path / "a", remote, "--run-cache")
    shutil.rmtree(remote / "objects")  # the records are there, their outputs are not
    copy = _fresh_copy(made, tmp_path / "b", remote)
    done = nbvc_in(copy, "repro", "--pull")
    assert done.code == 0, done.err
    assert copy.calls() == ["prepare", "train", "evaluate"]
    assert copy.read("model.json") == made.read("model.json")


def test_pull_without_a_remote_is_refused_before_any_stage_runs(tmp_path: Path) -> None:
    alone = ml_pipeline(make_project(tmp_path / "alone"))
    done = nbvc_in(alone, "repro", "--pull")
    assert done.code != 0
    assert done.err.startswith("nbvc: error: ") and done.err.count("\n") == 1, done.err
    assert "remote" in done.err and "Traceback" not in done.err
    assert alone.calls() == []
    assert not alone.path("model.json").exists()
