"""The run cache restores outputs of any earlier run with the same inputs."""

from __future__ import annotations

from nbvc.core.artifacts import pointer
from nbvc.core.pipeline.outcome import RAN, RESTORED, SKIPPED
from tests.pipeline.kit import Project, ml_pipeline, set_param


def statuses(result: object) -> dict[str, str]:
    return {o.stage: o.status for o in result.outcomes}  # type: ignore[attr-defined]


def test_restores_from_an_earlier_run_that_is_not_the_latest(project: Project) -> None:
    ml_pipeline(project)
    first = project.repro()
    model_a, metrics_a = project.read("model.json"), project.read("metrics.json")
    set_param(project, "train", "lr", 0.2)
    second = project.repro()
    assert project.read("model.json") != model_a
    project.calls()
    set_param(project, "train", "lr", 0.1)
    third = project.repro()
    assert statuses(third) == {"prepare": SKIPPED, "train": RESTORED, "evaluate": RESTORED}
    assert third.outcome("train").restored_from == first.run_id != second.run_id
    assert project.calls() == []
    assert project.read("model.json") == model_a
    assert project.read("metrics.json") == metrics_a  # a cache: false out is restored too
    with project.repo() as repo:
        # identical content gets its version back: v1 again, not a v3 equal to v1
        versions = repo.log("model.json")
        assert [v.name for v in versions] == ["v2", "v1"]
        current = pointer.read(repo.abspath("model.json"))
        assert current is not None and current.version == 1
        assert versions[1].producer == f"stage:train@{first.run_id}"
        assert repo.status(["model.json"])[0].state == "unchanged"
    lock = project.lock()
    assert lock["train"]["params"]["params.yaml"]["train.lr"] == 0.1
    assert lock["train"]["run"] == first.run_id
    record = project.run(third.run_id or "")
    assert record["stages"]["train"]["restored_from"] == first.run_id
    assert "loss" not in (record["metrics"].get("logged") or {})  # nothing ran, nothing logged
    assert project.repro().outcomes[1].status == SKIPPED


def test_restores_a_directory_output(project: Project) -> None:
    ml_pipeline(project)
    project.repro()
    before = project.read("data/prepared/test.csv")
    set_param(project, "prepare", "split", 0.5)
    project.repro()
    set_param(project, "prepare", "split", 0.25)
    project.calls()
    result = project.repro()
    assert statuses(result)["prepare"] == RESTORED
    assert project.read("data/prepared/test.csv") == before
    assert sorted(p.name for p in project.path("data/prepared").iterdir()) == [
        "test.csv",
        "train.csv",
    ]


def test_force_and_no_run_cache_run_the_command(project: Project) -> None:
    ml_pipeline(project)
    project.repro()
    project.path("model.json").unlink()
    project.calls()
    assert statuses(project.repro("train", run_cache=False))["train"] == RAN
    assert project.calls() == ["train"]


def test_persistent_outs_are_kept_and_never_restored(project: Project) -> None:
    project.write("params.yaml", "n: 1\n")
    project.write(
        "nbvc.yaml",
        """\
        stages:
          append:
            cmd: echo ${n} >> log.txt
            params: [n]
            outs:
              - log.txt: {persist: true}
        """,
    )
    project.repro()
    project.write("params.yaml", "n: 2\n")
    project.repro()
    project.write("params.yaml", "n: 1\n")
    result = project.repro()
    assert statuses(result)["append"] == RAN
    assert project.read("log.txt") == "1\n2\n1\n"


def test_gc_keeps_what_the_run_cache_needs(project: Project) -> None:
    ml_pipeline(project)
    project.repro()
    metrics_a = project.read("metrics.json")
    set_param(project, "train", "lr", 0.2)
    project.repro()
    gc = project.nbvc("gc")
    assert gc.code == 0
    set_param(project, "train", "lr", 0.1)
    result = project.repro()
    assert statuses(result)["evaluate"] == RESTORED
    assert project.read("metrics.json") == metrics_a


def test_force_ignores_the_run_cache(project: Project) -> None:
    ml_pipeline(project)
    project.repro()
    project.calls()
    result = project.nbvc("repro", "--force", "train")
    assert result.code == 0 and "Running stage 'train' (forced)" in result.out
    assert project.calls() == ["prepare", "train"]
