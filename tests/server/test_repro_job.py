"""The ``repro`` job: a real pipeline run through the jobs API, a step per stage, cancel."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from tests.helpers import process_alive
from tests.pipeline import kit as pipeline_kit
from tests.server.conftest import Api, finished


@pytest.fixture
def pipe(jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch) -> pipeline_kit.Project:
    """``pipe/``: the three-stage ML pipeline of the pipeline tests (prepare, train, evaluate)."""
    monkeypatch.setenv("PATH", pipeline_kit.python_on_path())
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE"):
        monkeypatch.delenv(name, raising=False)
    path = jp_root_dir / "pipe"
    path.mkdir()
    return pipeline_kit.ml_pipeline(pipeline_kit.make_project(path))


async def start(api: Api, **args: object) -> str:
    answer = await api.post("jobs", {"kind": "repro", "args": {"path": "pipe", **args}})
    assert answer.status == 202, answer
    job_id: str = answer.body["id"]
    return job_id


async def test_repro_job_reports_each_stage_and_records_a_run(
    api: Api, pipe: pipeline_kit.Project
) -> None:
    job = await finished(api, await start(api), timeout=60)
    assert job["state"] == "succeeded", job
    steps = job["progress"]["steps"]
    assert [(s["name"], s["state"]) for s in steps] == [
        ("prepare", "ran"),
        ("train", "ran"),
        ("evaluate", "ran"),
    ]
    assert job["progress"]["done"] == job["progress"]["total"] == 3
    assert job["progress"]["unit"] == "stage"
    assert "[train] trained" in job["log"]
    assert "[prepare] $ python prepare.py" in job["log"]
    result = job["result"]
    assert result["status"] == "completed" and result["dry_run"] is False
    assert [s["status"] for s in result["stages"]] == ["ran", "ran", "ran"]
    runs = await api.ok("GET", "runs", path="pipe")
    assert [r["id"] for r in runs["runs"]] == [result["run_id"]]
    assert runs["runs"][0]["metrics"]["metrics.json"]["acc"] == pipe.json("metrics.json")["acc"]

    again = await finished(api, await start(api), timeout=60)
    assert [s["state"] for s in again["progress"]["steps"]] == ["skipped"] * 3
    assert again["progress"]["steps"][0]["detail"] == "up to date"


async def test_dry_run_and_targets(api: Api, pipe: pipeline_kit.Project) -> None:
    job = await finished(api, await start(api, targets=["train"], dry_run=True))
    assert job["state"] == "succeeded", job
    assert [(s["name"], s["state"]) for s in job["progress"]["steps"]] == [
        ("prepare", "would run"),
        ("train", "would run"),
    ]
    assert job["result"]["run_id"] is None
    assert not (pipe.root / "model.json").exists()


async def test_a_failing_stage_fails_the_job(api: Api, pipe: pipeline_kit.Project) -> None:
    pipe.write("train.py", "import sys\nprint('boom', file=sys.stderr)\nsys.exit(3)\n")
    job = await finished(api, await start(api), timeout=60)
    assert job["state"] == "failed"
    assert "stage train failed: command failed with exit code 3" in job["error"]["message"]
    assert [s["state"] for s in job["progress"]["steps"]] == ["ran", "failed", "not run"]
    assert "[train] boom" in job["log"]
    runs = await api.ok("GET", "runs", path="pipe")
    assert runs["runs"][0]["status"] == "failed"


async def test_unknown_stage_fails_the_job_with_the_stage_list(
    api: Api, pipe: pipeline_kit.Project
) -> None:
    job = await finished(api, await start(api, targets=["deploy"]))
    assert job["state"] == "failed"
    assert "no stage named 'deploy'" in job["error"]["message"]
    assert "prepare" in job["error"]["message"]


async def test_cancel_kills_the_running_stage_and_marks_the_run_interrupted(
    api: Api, pipe: pipeline_kit.Project
) -> None:
    # prepare starts a child that ignores SIGINT, then waits for a file that never comes
    pipe.write(
        "prepare.py",
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import signal, time; "
        "signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(120)'])\n"
        "open('started', 'w').write(f'{os.getpid()} {child.pid}')\n"
        "while not os.path.exists('go'):\n"
        "    time.sleep(0.02)\n",
    )
    lock_before = (
        (pipe.root / "nbvc.lock").read_text() if (pipe.root / "nbvc.lock").exists() else None
    )
    job_id = await start(api)
    deadline = time.monotonic() + 30
    while not (pipe.root / "started").exists() or not (pipe.root / "started").read_text():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    pids = [int(p) for p in (pipe.root / "started").read_text().split()]
    answer = await api.delete(f"jobs/{job_id}")
    assert answer.status == 202 and answer.body["cancel_requested"] is True
    job = await finished(api, job_id, timeout=30)  # without "go": the stage was killed
    assert job["state"] == "cancelled", job
    assert [s["state"] for s in job["progress"]["steps"]] == ["failed", "pending", "pending"]
    for pid in pids:  # the stage and the child it started are gone
        deadline = time.monotonic() + 10
        while process_alive(pid):
            assert time.monotonic() < deadline, f"process {pid} still runs"
            await asyncio.sleep(0.05)
    assert not (pipe.root / "model.json").exists()  # train never started
    lock_now = (pipe.root / "nbvc.lock").read_text() if (pipe.root / "nbvc.lock").exists() else None
    assert lock_now == lock_before
    with Repo.open(str(pipe.root)) as repo:
        from nbvc.core.runs.run_index import RunIndex

        run_id = RunIndex(repo).latest()
        assert run_id is not None
        assert repo.records.read("runs", run_id)["status"] == "interrupted"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"targets": "train"}, "'targets' must be a list"),
        ({"force": "yes"}, "'force' must be true or false"),
        ({"params": {"lr": 1}}, "unknown field(s): params"),
    ],
)
async def test_bad_repro_args_are_400(
    api: Api, pipe: pipeline_kit.Project, args: dict[str, object], message: str
) -> None:
    answer = await api.post("jobs", {"kind": "repro", "args": {"path": "pipe", **args}})
    assert answer.status == 400
    assert message in answer.body["message"]
