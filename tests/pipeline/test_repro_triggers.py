"""A real prepare -> train -> evaluate pipeline: first run, no-op, and every rerun trigger."""

from __future__ import annotations

import os

import pytest

from nbvc.core.pipeline.outcome import RAN, RESTORED, SKIPPED
from tests.pipeline.kit import Project, ml_pipeline, set_param


@pytest.fixture
def ml(project: Project) -> Project:
    ml_pipeline(project)
    result = project.repro()
    assert [o.status for o in result.outcomes] == [RAN, RAN, RAN]
    assert project.calls() == ["prepare", "train", "evaluate"]
    return project


def reasons(result: object) -> dict[str, tuple[str, str]]:
    return {o.stage: (o.status, o.reason) for o in result.outcomes}  # type: ignore[attr-defined]


def test_first_run_records_lock_versions_and_run(ml: Project) -> None:
    lock = ml.lock()
    assert list(lock) == ["prepare", "train", "evaluate"]
    assert lock["train"]["params"] == {"params.yaml": {"train.lr": 0.1, "train.epochs": 3}}
    assert [d["path"] for d in lock["train"]["deps"]] == ["train.py", "data/prepared"]
    assert lock["prepare"]["outs"][0]["oid"].endswith(".dir")
    run_id = lock["train"]["run"]
    with ml.repo() as repo:
        (version,) = repo.history.versions("model.json")
        assert version.producer == f"stage:train@{run_id}"
        assert repo.odb.exists(version.oid)
        assert repo.history.latest("metrics.json") is None  # cache: false -> not a version
    record = ml.run(run_id)
    assert record["status"] == "completed"
    assert record["params"]["params.yaml"] == {  # the whole file, as DVC shows params
        "prepare.split": 0.25,
        "train.lr": 0.1,
        "train.epochs": 3,
        "unused": 1,
    }
    assert record["metrics"]["metrics.json"]["n"] == 10
    assert record["metrics"]["logged"] == {"loss": pytest.approx(10 / 3, rel=1e-3)}
    assert [p[0] for p in record["series"]["loss"]] == [0, 1, 2]
    assert record["params"]["logged"] == {"rows": 30}
    assert set(record["stages"]) == {"prepare", "train", "evaluate"}
    assert record["stages"]["train"]["deps"]["train.py"] == lock["train"]["deps"][0]["oid"]
    assert record["env"]["python"]


def test_nothing_changed_skips_everything_and_keeps_the_lock(ml: Project) -> None:
    before = ml.read("nbvc.lock")
    result = ml.repro()
    assert reasons(result) == {s: (SKIPPED, "up to date") for s in ("prepare", "train", "evaluate")}
    assert ml.calls() == []
    assert ml.read("nbvc.lock") == before
    with ml.repo() as repo:
        runs_before = repo.records.ids("runs")
    again = ml.repro()
    assert again.run_id is None and again.nothing_to_do  # a repro that did nothing: no run
    with ml.repo() as repo:
        assert repo.records.ids("runs") == runs_before
    assert not list(ml.path(".nbvc/tmp/runs").iterdir())  # and no journal left behind


def test_param_change_reruns_only_its_stage_and_what_changed_below(ml: Project) -> None:
    set_param(ml, "train", "lr", 0.2)
    result = ml.repro()
    assert reasons(result) == {
        "prepare": (SKIPPED, "up to date"),
        "train": (RAN, "param train.lr changed (0.1 -> 0.2)"),
        "evaluate": (RAN, "dep model.json changed"),
    }
    assert ml.calls() == ["train", "evaluate"]
    assert ml.lock()["train"]["params"]["params.yaml"]["train.lr"] == 0.2


def test_a_param_no_stage_reads_triggers_nothing(ml: Project) -> None:
    ml.write("params.yaml", ml.read("params.yaml").replace("unused: 1", "unused: 2"))
    assert {o.status for o in ml.repro().outcomes} == {SKIPPED}


def test_command_change_reruns(ml: Project) -> None:
    ml.write("nbvc.yaml", ml.read("nbvc.yaml").replace("python train.py", "python ./train.py"))
    assert reasons(ml.repro())["train"] == (RAN, "command changed")


def test_dep_change_reruns(ml: Project) -> None:
    ml.write("train.py", ml.read("train.py") + "\n# tweak\n")
    result = ml.repro()
    assert reasons(result)["train"] == (RAN, "dep train.py changed")
    # same model as before, so evaluate is up to date
    assert reasons(result)["evaluate"] == (SKIPPED, "up to date")


def test_upstream_output_change_propagates(ml: Project) -> None:
    ml.write("data/raw.csv", "\n".join(str(i) for i in range(80)) + "\n")
    result = ml.repro()
    assert reasons(result) == {
        "prepare": (RAN, "dep data/raw.csv changed"),
        "train": (RAN, "dep data/prepared changed"),
        "evaluate": (RAN, "dep model.json changed"),
    }


def test_changed_output_reruns(ml: Project) -> None:
    ml.write("model.json", '{"weight": 0}')
    # same inputs as an earlier run: the run cache restores the output instead of running
    assert reasons(ml.repro())["train"] == (RESTORED, "out model.json changed")
    assert ml.calls() == []
    assert ml.json("model.json")["weight"] != 0


def test_missing_output_reruns_without_run_cache(ml: Project) -> None:
    os.remove(ml.path("model.json"))
    assert reasons(ml.repro(run_cache=False))["train"] == (RAN, "out model.json is missing")
    assert ml.calls() == ["train"]


def test_added_dep_and_out_rerun(ml: Project) -> None:
    ml.write("extra.txt", "x")
    text = ml.read("nbvc.yaml").replace(
        "[train.py, data/prepared]", "[train.py, data/prepared, extra.txt]"
    )
    ml.write("nbvc.yaml", text)
    assert reasons(ml.repro())["train"] == (RAN, "dep extra.txt is new")
    ml.write("nbvc.yaml", text.replace("outs: [model.json]", "outs: [model.json, extra.out]"))
    ml.write("train.py", ml.read("train.py") + "open('extra.out', 'w').write('y')\n")
    assert reasons(ml.repro())["train"] == (RAN, "dep train.py changed")
    ml.write("nbvc.yaml", text)
    assert reasons(ml.repro())["train"] == (RAN, "out extra.out was removed from the stage")


def test_removed_param_reruns(ml: Project) -> None:
    ml.write("nbvc.yaml", ml.read("nbvc.yaml").replace("[train.lr, train.epochs]", "[train.lr]"))
    assert reasons(ml.repro())["train"] == (RAN, "param train.epochs was removed")


def test_force_reruns_everything(ml: Project) -> None:
    result = ml.repro(force=True)
    assert reasons(result) == {s: (RAN, "forced") for s in ("prepare", "train", "evaluate")}
    assert ml.calls() == ["prepare", "train", "evaluate"]


def test_always_changed_and_frozen(ml: Project) -> None:
    text = ml.read("nbvc.yaml")
    text = text.replace(
        "    cmd: python evaluate.py\n", "    cmd: python evaluate.py\n    always_changed: true\n"
    )
    text = text.replace(
        "    cmd: python prepare.py\n", "    cmd: python prepare.py\n    frozen: true\n"
    )
    ml.write("nbvc.yaml", text)
    ml.write("prepare.py", ml.read("prepare.py") + "\n# changed, but the stage is frozen\n")
    result = ml.repro()
    assert reasons(result)["prepare"] == (SKIPPED, "frozen")
    assert reasons(result)["evaluate"] == (RAN, "always changed")
    assert reasons(ml.repro())["evaluate"] == (RAN, "always changed")


def test_dry_run_changes_nothing(ml: Project) -> None:
    set_param(ml, "prepare", "split", 0.5)
    before = ml.read("nbvc.lock")
    result = ml.repro(dry=True)
    assert result.run_id is None
    assert reasons(result) == {
        "prepare": ("would run", "param prepare.split changed (0.25 -> 0.5)"),
        "train": ("would run", "upstream stage prepare would run"),
        "evaluate": ("would run", "upstream stage prepare would run"),
    }
    assert ml.calls() == []
    assert ml.read("nbvc.lock") == before


def test_target_selection(ml: Project) -> None:
    set_param(ml, "prepare", "split", 0.5)
    assert [o.stage for o in ml.repro("train", dry=True).outcomes] == ["prepare", "train"]
    assert [o.stage for o in ml.repro("train", single_item=True, dry=True).outcomes] == ["train"]
    downstream = ml.repro("train", downstream=True, dry=True).outcomes
    assert [o.stage for o in downstream] == ["train", "evaluate"]


def test_a_dep_changed_by_its_own_stage_is_reported_and_not_locked(ml: Project) -> None:
    ml.write("train.py", ml.read("train.py") + "open('train.py', 'a').write('# touched\\n')\n")
    result = ml.repro()
    train = result.outcome("train")
    assert train.status == RAN
    assert train.warnings and "dep train.py changed while stage train ran" in train.warnings[0]
    assert "cache_key" not in ml.run(result.run_id or "")["stages"]["train"]
    # the lock holds the hash from before the run, so the next repro runs the stage again
    assert reasons(ml.repro())["train"][0] == RAN


def test_cli_streams_output_and_prints_a_summary(ml: Project) -> None:
    set_param(ml, "prepare", "split", 0.5)
    result = ml.nbvc("repro")
    assert result.code == 0
    assert "Running stage 'prepare' (param prepare.split changed (0.25 -> 0.5))" in result.out
    assert "> python prepare.py" in result.out
    assert "prepared 20 rows" in result.out
    assert "Summary: 3 ran (run " in result.out
    again = ml.nbvc("repro")
    assert "Stage 'train' skipped: up to date" in again.out
    assert "Nothing to do: 3 skipped (no run recorded)" in again.out


def test_dvc_yaml_is_used_when_there_is_no_nbvc_yaml(project: Project) -> None:
    ml_pipeline(project)
    os.rename(project.path("nbvc.yaml"), project.path("dvc.yaml"))
    assert project.nbvc("repro").code == 0
    assert project.path("nbvc.lock").exists() and not project.path("dvc.lock").exists()
    assert list(project.lock()) == ["prepare", "train", "evaluate"]


def test_unknown_stage_and_no_pipeline_are_clear_errors(project: Project) -> None:
    missing = project.nbvc("repro")
    assert missing.code == 1 and "no pipeline here: create nbvc.yaml" in missing.err
    ml_pipeline(project)
    unknown = project.nbvc("repro", "trian")
    assert unknown.code == 1 and "no stage named 'trian'" in unknown.err
