"""`nbvc repro` in a DVC project: DVC's skip decisions, DVC's lock and cache, and both tools
agreeing on one repo whichever ran last."""

from __future__ import annotations

import json
import os

from nbvc.core.repo import Repo
from tests.dvc.kit import DvcProject

STAGES = ["prepare", "train", "evaluate", "report@a", "report@b"]


def dvc_status(project: DvcProject) -> object:
    return json.loads(project.dvc("status", "--json").out)


def test_first_repro_adopts_the_lock_and_changes_nothing(project: DvcProject) -> None:
    lock_before = project.read("dvc.lock")
    done = project.nbvc("repro")
    assert done.code == 0, done.err
    assert project.calls() == []  # nothing ran: the lock matched the workspace
    for stage in STAGES:
        assert f"Stage '{stage}' skipped: up to date" in done.out
    assert "initialised" in done.err and "DVC project" in done.err
    assert project.read("dvc.lock") == lock_before
    # only nbvc's own folder is new: no pointer file, no .gitignore line, no nbvc.lock
    assert project.git("status", "--porcelain") == "?? .nbvc/\n"
    assert dvc_status(project) == {}


def test_param_changed_with_nbvc_then_dvc_finds_nothing_to_do(project: DvcProject) -> None:
    project.nbvc("repro")
    project.set_param("train", "lr", 0.3)
    done = project.nbvc("repro")
    assert done.code == 0, done.err
    assert project.calls() == ["train", "evaluate"]  # report@* depend on model.json: same w?
    lock = project.lock()
    assert lock["train"]["params"]["params.yaml"]["train"]["lr"] == 0.3
    model = next(o for o in lock["train"]["outs"] if o["path"] == "model.json")
    assert set(model) == {"path", "hash", "md5", "size"} and model["hash"] == "md5"
    assert dvc_status(project) == {}
    lock_text = project.read("dvc.lock")
    again = project.dvc("repro")
    assert project.calls() == []
    assert "Data and pipelines are up to date." in again.out
    assert project.read("dvc.lock") == lock_text  # DVC had nothing to rewrite either
    # the outputs nbvc made are in DVC's cache: a fresh checkout by DVC restores them
    os.remove(project.path("model.json"))
    project.dvc("checkout", "model.json")
    assert json.loads(project.read("model.json")) == {"w": 0.3 * 3}


def test_after_dvc_repro_nbvc_runs_nothing(project: DvcProject) -> None:
    project.nbvc("repro")
    project.set_param("prepare", "split", 0.5)
    project.dvc("repro", "-q")
    assert project.calls() == ["prepare", "train", "evaluate"]
    done = project.nbvc("repro")
    assert done.code == 0, done.err
    assert project.calls() == []
    assert done.out.count("skipped: up to date") == len(STAGES)


def test_outputs_become_nbvc_versions_without_pointer_files(project: DvcProject) -> None:
    project.set_param("train", "epochs", 4)
    assert project.nbvc("repro").code == 0
    with Repo.open(str(project.root)) as repo:
        version = repo.history.latest("model.json")
        assert version is not None and version.producer is not None
        assert version.producer.startswith("stage:train@")
        assert repo.odb.exists(version.oid)
    assert not project.path("model.json.nbvc").exists()
    assert "model.json.nbvc" not in project.git("status", "--porcelain")


def test_dvclive_under_nbvc_repro_is_inside_a_pipeline(project: DvcProject) -> None:
    project.set_param("train", "epochs", 5)
    done = project.nbvc("repro", "train")
    assert done.code == 0, done.err
    assert "Ignoring `save_dvc_exp` because `dvc repro` is running" in done.err
    assert project.git("for-each-ref", "refs/exps") == ""  # no DVC experiment was made
    assert not project.path(".dvc/tmp/exps").exists() or not any(
        project.path(".dvc/tmp/exps").rglob("*.json")
    )
    assert json.loads(project.read("dvclive/metrics.json"))["step"] == 4
    runs = json.loads(project.nbvc("runs", "--json").out)
    latest = runs[0]
    assert latest["metrics"]["dvclive/metrics.json"]["loss"] == round(1 / 5 / 0.2, 4)
    with Repo.open(str(project.root)) as repo:
        record = repo.records.read("runs", latest["id"])
    assert [p[0] for p in record["series"]["loss"]] == [0, 1, 2, 3, 4]


def test_out_missing_from_dvc_cache_is_cached_again(project: DvcProject) -> None:
    md5 = next(o for o in project.lock()["train"]["outs"] if o["path"] == "model.json")["md5"]
    cached = project.path(f".dvc/cache/files/md5/{md5[:2]}/{md5[2:]}")
    os.chmod(cached, 0o644)
    cached.unlink()
    assert "not in cache" in project.dvc("status").out
    done = project.nbvc("repro")
    assert project.calls() == [] and done.code == 0
    assert cached.exists() and oct(cached.stat().st_mode & 0o777) == "0o444"
    assert dvc_status(project) == {}


def test_frozen_stage_with_a_missing_output_fails_like_dvc(project: DvcProject) -> None:
    project.dvc("freeze", "train")
    os.remove(project.path("model.json"))
    done = project.nbvc("repro", "train")
    assert done.code == 1
    assert "stage train is frozen and its outputs are missing" in done.err
    assert "missing data 'source': model.json" in done.err
    assert "Traceback" not in done.err
    dvc = project.dvc("repro", "train", check=False)
    assert dvc.code != 0 and "missing data 'source'" in dvc.err


def test_empty_and_comment_only_pipeline_files(project: DvcProject) -> None:
    project.path("dvc.yaml").write_text("# stages will come later\n")
    done = project.nbvc("repro")
    assert done.code == 0, done.err
    assert "no stages" in done.out
    project.path("dvc.yaml").write_text("")
    assert project.nbvc("repro").code == 0


def test_dvc_yaml_in_a_subfolder_is_named_as_not_supported(project: DvcProject) -> None:
    project.write("sub/dvc.yaml", "stages:\n  s:\n    cmd: echo hi\n")
    project.git("add", "sub/dvc.yaml")
    done = project.nbvc("repro")
    assert done.code == 1
    *_, last = done.err.splitlines()  # after the note that .nbvc/ was created
    assert last.startswith("nbvc: error: sub/dvc.yaml: ") and "not supported yet" in last
    assert "Traceback" not in done.err


def test_stage_order_is_dvcs(project: DvcProject) -> None:
    dvc = project.dvc("repro", "--force", "--dry").out
    dvc_order = [line.split("'")[1] for line in dvc.splitlines() if line.startswith("Running")]
    nbvc = project.nbvc("repro", "--force", "--dry").out
    nbvc_order = [line.split("'")[1] for line in nbvc.splitlines() if line.startswith("Stage ")]
    assert nbvc_order == dvc_order == STAGES
