"""`nbvc exp apply RUN` / `nbvc checkout --run RUN`: a run restored whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbvc.core.runs.run_record import read_run
from tests.pipeline.kit import Project


def _sweep(exp: Project) -> list[str]:
    assert exp.nbvc("exp", "run", "-S", "train.lr=0.01,0.2", "--name", "s").code == 0
    with exp.repo() as repo:
        return [row.id for row in repo.experiments.table("s").rows]


def _made(exp: Project, run_id: str, path: str) -> bytes:
    with exp.repo() as repo:
        oid = read_run(repo, run_id).stages["train"]["outs"][path]["oid"]
        return Path(repo.odb.path(oid)).read_bytes()


def test_apply_restores_params_deps_and_outs_of_an_experiment(exp: Project) -> None:
    first, _ = _sweep(exp)
    exp.nbvc("repro")  # the workspace's own model (lr 0.1)
    done = exp.nbvc("exp", "apply", "s-1")
    assert done.code == 0, done.err
    assert "lr: 0.01  # learning rate" in exp.read("params.yaml")  # only the value changed
    assert exp.read("params.yaml").startswith("# training settings")
    assert exp.path("model.bin").read_bytes() == _made(exp, first, "model.bin")
    assert exp.read("model.bin").startswith("model lr=0.01 ")
    assert exp.json("metrics.json")["loss"] == pytest.approx(0.9)
    assert "its code came from git commit" in done.out
    status = exp.nbvc("repro", "--dry")
    assert "would run" not in status.out  # everything matches: nothing to rerun


def test_checkout_run_is_the_same_command(exp: Project) -> None:
    _, second = _sweep(exp)
    done = exp.nbvc("checkout", "--run", second[-8:])
    assert done.code == 0, done.err
    assert exp.path("model.bin").read_bytes() == _made(exp, second, "model.bin")


def test_apply_refuses_to_overwrite_unsaved_changes(exp: Project) -> None:
    first, _ = _sweep(exp)
    exp.write("train.py", exp.read("train.py") + "# my uncommitted edit\n")
    refused = exp.nbvc("exp", "apply", first)
    assert refused.code == 1
    assert "train.py" in refused.err and "--force" in refused.err
    assert "# my uncommitted edit" in exp.read("train.py")
    assert "lr: 0.1 " in exp.read("params.yaml")  # nothing was changed
    forced = exp.nbvc("exp", "apply", first, "--force")
    assert forced.code == 0, forced.err
    assert "# my uncommitted edit" not in exp.read("train.py")


def test_apply_of_a_plain_repro_run(exp: Project) -> None:
    assert exp.nbvc("repro").code == 0
    with exp.repo() as repo:
        run = repo.runs.latest()
        assert run is not None
    original = exp.path("model.bin").read_bytes()
    exp.nbvc("exp", "run", "-S", "train.lr=0.3")
    exp.path("model.bin").unlink()
    done = exp.nbvc("exp", "apply", run.id)
    assert done.code == 0, done.err
    assert exp.path("model.bin").read_bytes() == original


def test_unknown_run(exp: Project) -> None:
    done = exp.nbvc("exp", "apply", "nope")
    assert done.code == 1 and done.err.startswith("nbvc: error: ")


def test_gc_keeps_what_apply_needs(exp: Project) -> None:
    first, _ = _sweep(exp)
    assert exp.nbvc("gc").code == 0
    exp.write("train.py", "print('rewritten')\n")
    exp.git("commit", "-qam", "rewrite train.py")
    done = exp.nbvc("exp", "apply", first)
    assert done.code == 0, done.err
    assert "rows=" in exp.read("model.bin") and "import json" in exp.read("train.py")
