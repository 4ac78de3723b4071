"""Experiments over REST: an `exp_run` job (a step per point), the sweeps, one sweep's table,
cancel, and an `exp_apply` job; every answer checked against openapi.yaml."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.experiments.kit import exp_project
from tests.pipeline import kit as pipeline_kit
from tests.server.conftest import Api, finished


@pytest.fixture
def lab(jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch) -> pipeline_kit.Project:
    monkeypatch.setenv("PATH", pipeline_kit.python_on_path())
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE"):
        monkeypatch.delenv(name, raising=False)
    path = jp_root_dir / "lab"
    path.mkdir()
    return exp_project(path)


async def start(api: Api, kind: str, **args: object) -> str:
    answer = await api.post("jobs", {"kind": kind, "args": {"path": "lab", **args}})
    assert answer.status == 202, answer
    job_id: str = answer.body["id"]
    return job_id


async def test_a_sweep_job_then_the_table_then_apply(api: Api, lab: pipeline_kit.Project) -> None:
    job_id = await start(api, "exp_run", set_params=["train.lr=0.01,0.05"], name="web")
    job = await finished(api, job_id, timeout=60)
    assert job["state"] == "succeeded", job
    assert [s["state"] for s in job["progress"]["steps"]] == ["completed", "completed"]
    assert job["progress"]["unit"] == "experiment"
    listed = await api.ok("GET", "experiments", path="lab")
    assert [(s["name"], s["counts"]) for s in listed["sweeps"]] == [("web", {"completed": 2})]
    table = await api.ok("GET", "experiments/web", path="lab", sort="loss")
    assert [row["params"]["train.lr"] for row in table["rows"]] == [0.05, 0.01]
    assert table["best"]["loss"] == table["rows"][0]["id"]
    chosen = table["rows"][1]["short_id"]
    applied = await finished(api, await start(api, "exp_apply", run=chosen))
    assert applied["state"] == "succeeded", applied
    assert "model.bin" in applied["result"]["restored"]
    assert lab.read("model.bin").startswith("model lr=0.01 ")


async def test_cancel_a_running_sweep(api: Api, lab: pipeline_kit.Project) -> None:
    args = {"set_params": ["train.lr=0.01,0.02", "train.seconds=30"], "name": "slow"}
    job_id = await start(api, "exp_run", **args)
    started = time.monotonic()
    while True:
        listed = await api.ok("GET", "experiments", path="lab")
        if listed["sweeps"] and listed["sweeps"][0]["counts"].get("running"):
            break
        assert time.monotonic() - started < 20
        await asyncio.sleep(0.1)
    answer = await api.post("experiments/slow/cancel", {"path": "lab"})
    assert answer.status == 202 and len(answer.body["cancelled"]) == 1
    job = await finished(api, job_id, timeout=20)
    assert job["state"] == "succeeded"  # the sweep ended, its points recorded as interrupted
    assert [s["state"] for s in job["progress"]["steps"]] == ["interrupted", "interrupted"]


async def test_bad_requests(api: Api, lab: pipeline_kit.Project) -> None:
    bad = await api.post("jobs", {"kind": "exp_run", "args": {"path": "lab", "workers": 0}})
    assert bad.status == 400
    unknown = await api.get("experiments/nope", path="lab")
    assert unknown.status == 404
