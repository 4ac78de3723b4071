"""A failing stage: dependants stop, earlier outputs stay cached, the lock stays consistent."""

from __future__ import annotations

import pytest

from nbvc.core.pipeline.outcome import FAILED, NOT_RUN, RAN, SKIPPED
from nbvc.core.pipeline.stage import Hasher
from tests.pipeline.kit import Project, ml_pipeline


def fail_training(project: Project) -> None:
    project.write("train.py", "import sys\nprint('diverged', file=sys.stderr)\nsys.exit(3)\n")


def assert_lock_consistent(project: Project, failed: tuple[str, ...] = ()) -> None:
    """Every out the lock names is in the cache, and in the workspace as recorded, except for
    the outs of stages that just failed (removed before the run, as DVC does)."""
    with project.repo() as repo, repo.pool() as pool:
        hasher = Hasher(repo, pool)
        for name, entry in project.lock().items():
            for out in entry["outs"]:
                assert repo.workspace.has_all(out["oid"], pool)
                if name not in failed:
                    current = hasher.hash(out["path"])
                    assert current is not None and current.oid == out["oid"], out["path"]


def test_failing_stage_stops_dependants_and_keeps_what_ran(project: Project) -> None:
    ml_pipeline(project)
    fail_training(project)
    result = project.nbvc("repro")
    assert result.code == 1
    assert "diverged" in result.err
    assert "Stage 'train' failed: command failed with exit code 3: python train.py" in result.err
    assert "Stage 'evaluate' not run: upstream stage train failed" in result.out
    assert "Summary: 1 ran, 1 failed, 1 not run" in result.out
    assert list(project.lock()) == ["prepare"]  # the failed stage has no entry
    assert_lock_consistent(project)
    with project.repo() as repo:
        (version,) = repo.history.versions("data/prepared")
        assert repo.workspace.has_all(version.oid, repo.pool())
    run_id = next(line for line in result.out.splitlines() if "Summary" in line).split()[-1][:-1]
    with project.repo() as repo:
        record = project.run(repo.runs.get(run_id).id)
    assert record["status"] == "failed"
    assert record["stages"]["train"]["status"] == FAILED
    assert record["stages"]["evaluate"]["status"] == NOT_RUN


def test_fixing_the_stage_resumes_where_it_failed(project: Project) -> None:
    ml_pipeline(project)
    good_train = project.read("train.py")
    project.repro()
    project.calls()
    project.write("params.yaml", project.read("params.yaml").replace("lr: 0.1", "lr: 0.3"))
    fail_training(project)
    failed = project.repro()
    assert [o.status for o in failed.outcomes] == [SKIPPED, FAILED, NOT_RUN]
    assert project.lock()["train"]["params"]["params.yaml"]["train.lr"] == 0.1  # old entry
    assert_lock_consistent(project, failed=("train",))
    project.write("train.py", good_train)
    fixed = project.repro()
    assert [o.status for o in fixed.outcomes] == [SKIPPED, RAN, RAN]
    assert project.lock()["train"]["params"]["params.yaml"]["train.lr"] == 0.3


def test_keep_going_runs_independent_stages(project: Project) -> None:
    project.write(
        "nbvc.yaml",
        """\
        stages:
          broken:
            cmd: exit 1
            outs: [a.txt]
          after_broken:
            cmd: cp a.txt b.txt
            deps: [a.txt]
            outs: [b.txt]
          independent:
            cmd: echo ok > c.txt
            outs: [c.txt]
        """,
    )
    stopped = project.repro()
    assert [(o.stage, o.status) for o in stopped.outcomes] == [
        ("broken", FAILED),
        ("after_broken", NOT_RUN),
        ("independent", NOT_RUN),
    ]
    assert "--keep-going" in stopped.outcome("independent").reason
    kept_going = project.nbvc("repro", "--keep-going")
    assert kept_going.code == 1
    assert "Summary: 1 ran, 1 failed, 1 not run" in kept_going.out
    assert project.read("c.txt") == "ok\n"
    assert list(project.lock()) == ["independent"]


def test_a_stage_that_does_not_make_its_out_fails(project: Project) -> None:
    project.write("nbvc.yaml", "stages:\n  a:\n    cmd: echo hi\n    outs: [never.txt]\n")
    result = project.repro()
    assert result.outcome("a").status == FAILED
    assert result.outcome("a").error == "stage a did not create its out never.txt"
    assert not project.path("nbvc.lock").exists()


@pytest.mark.parametrize("flag", ["--single-item", ""])
def test_a_missing_upstream_output_fails_the_stage_clearly(project: Project, flag: str) -> None:
    project.write(
        "nbvc.yaml",
        """\
        stages:
          make:
            cmd: echo 1 > one.txt
            outs: [one.txt]
          use:
            cmd: cp one.txt two.txt
            deps: [one.txt]
            outs: [two.txt]
        """,
    )
    result = project.nbvc("repro", "use", *([flag] if flag else []))
    if flag:
        assert result.code == 1
        assert "dep one.txt is missing; create it or run the stage that makes it" in result.err
    else:
        assert result.code == 0 and project.read("two.txt") == "1\n"


def test_an_engine_error_in_a_stage_fails_that_stage(project: Project) -> None:
    project.write("data/raw.txt", "x")
    assert project.nbvc("add", "data").code == 0
    project.write(
        "nbvc.yaml", "stages:\n  a:\n    cmd: echo 1 > data/x.txt\n    outs: [data/x.txt]\n"
    )
    result = project.nbvc("repro")
    assert result.code == 1
    assert "Stage 'a' failed: data/x.txt is inside data, which nbvc tracks as a whole" in result.err
    assert "Summary: 1 failed" in result.out
