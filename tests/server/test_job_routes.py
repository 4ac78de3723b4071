"""The job routes: start, follow, list and cancel jobs through the REST API."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from nbvc.server import job_kinds
from nbvc.server.jobs import Json, Progress
from tests.server.conftest import Api, Project, finished


async def test_fsck_job(api: Api, project: Project) -> None:
    answer = await api.post("jobs", {"kind": "fsck", "args": {"path": "proj"}})
    assert answer.status == 202
    assert answer.headers["Location"] == f"/a%40b/nbvc/api/jobs/{answer.body['id']}"
    job = await finished(api, answer.body["id"])
    assert job["state"] == "succeeded", job
    assert job["result"]["checked"] >= 4
    assert job["result"]["corrupt"] == []
    assert job["progress"]["unit"] == "object"
    assert job["progress"]["done"] == job["progress"]["total"]
    assert "done" in job["log"]


async def test_gc_job_dry_run(api: Api, project: Project) -> None:
    body = {"kind": "gc", "args": {"path": "proj", "dry_run": True, "keep_last": 1}}
    job = await finished(api, (await api.ok("POST", "jobs", body))["id"])
    assert job["state"] == "succeeded", job
    assert job["result"]["dry_run"] is True
    assert job["result"]["pruned"] == []  # model.bin@v1 is tagged, so it stays


async def test_gc_job_without_args_runs_at_the_server_root(
    api: Api, project: Project, jp_root_dir: Any
) -> None:
    answer = await api.post("jobs", {"kind": "gc"})
    assert answer.status == 404  # the server root is not a repo: checked before starting


async def test_add_job(api: Api, project: Project) -> None:
    project.write("model.bin", "weights 3\n")
    body = {"kind": "add", "args": {"path": "proj", "paths": ["model.bin"], "message": "job"}}
    job = await finished(api, (await api.ok("POST", "jobs", body))["id"])
    assert job["state"] == "succeeded", job
    assert job["result"]["added"][0]["version"]["version"] == "v3"
    assert any("model.bin" in line for line in job["log"])


async def test_checkout_job_failure_is_reported_in_the_job(api: Api, project: Project) -> None:
    project.write("model.bin", "unsaved\n")
    body = {"kind": "checkout", "args": {"path": "proj", "artifact": "model.bin", "ref": "v1"}}
    job = await finished(api, (await api.ok("POST", "jobs", body))["id"])
    assert job["state"] == "failed"
    assert "not saved" in job["error"]["message"]
    assert str(project.root) not in job["error"]["message"]
    assert (project.path / "model.bin").read_text() == "unsaved\n"


async def test_checkout_job(api: Api, project: Project) -> None:
    body = {"kind": "checkout", "args": {"path": "proj", "artifact": "model.bin", "ref": "v1"}}
    job = await finished(api, (await api.ok("POST", "jobs", body))["id"])
    assert job["state"] == "succeeded", job
    assert job["result"]["version"] == "v1"
    assert (project.path / "model.bin").read_text() == "weights 1\n"


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({"kind": "deploy"}, 400, "unknown kind 'deploy'; use one of add, checkout"),
        ({"args": {}}, 400, "needs the field 'kind'"),
        ({"kind": "fsck", "args": []}, 400, "'args' must be a JSON object"),
        ({"kind": "fsck", "args": {"path": "proj", "deep": True}}, 400, "unknown field(s): deep"),
        ({"kind": "gc", "args": {"path": "proj", "keep_last": 0}}, 400, "'keep_last'"),
        ({"kind": "add", "args": {"path": "proj"}}, 400, "needs the field 'paths'"),
        ({"kind": "fsck", "args": {"path": "../x"}}, 403, "outside the root"),
        ({"kind": "fsck", "args": {"path": "nowhere"}}, 404, "does not exist"),
        ({"kind": "fsck", "extra": 1}, 400, "unknown field(s): extra"),
    ],
)
async def test_bad_job_requests_are_refused_before_starting(
    api: Api, project: Project, body: Any, status: int, expected: str
) -> None:
    answer = await api.post("jobs", body)
    assert answer.status == status
    assert expected in answer.body["message"]
    assert (await api.ok("GET", "jobs"))["jobs"] == []


async def test_list_jobs_newest_first_without_log_by_default(api: Api, project: Project) -> None:
    first = (await api.ok("POST", "jobs", {"kind": "fsck", "args": {"path": "proj"}}))["id"]
    await finished(api, first)
    second = (await api.ok("POST", "jobs", {"kind": "fsck", "args": {"path": "proj"}}))["id"]
    await finished(api, second)
    jobs = (await api.ok("GET", "jobs"))["jobs"]
    assert [j["id"] for j in jobs] == [second, first]
    assert all(j["log"] == [] for j in jobs)
    with_log = (await api.ok("GET", "jobs", tail=1))["jobs"]
    assert all(j["log"] == ["done"] for j in with_log)


@pytest.mark.parametrize("tail", ["-1", "x", "1001"])
async def test_bad_tail_is_400(api: Api, project: Project, tail: str) -> None:
    assert (await api.get("jobs", tail=tail)).status == 400


async def test_unknown_job_is_404(api: Api, project: Project) -> None:
    assert (await api.get("jobs/0123")).status == 404
    assert (await api.delete("jobs/0123")).status == 404


async def test_cancel_a_running_job(
    api: Api, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    stepping = threading.Event()

    def endless(repo: Any, progress: Progress) -> Json:
        task = progress.task("looping", None)
        while True:
            task.advance()
            stepping.set()
            time.sleep(0.001)

    kind = job_kinds.JobKind("fsck", "test", lambda args: job_kinds.Plan("proj", [], endless))
    monkeypatch.setitem(job_kinds.KINDS, "fsck", kind)  # an fsck that never ends
    api.contract = False  # it has no result to check
    job_id = (await api.ok("POST", "jobs", {"kind": "fsck", "args": {"path": "proj"}}))["id"]
    assert await asyncio.to_thread(stepping.wait, 10)
    answer = await api.delete(f"jobs/{job_id}")
    assert answer.status == 202
    assert answer.body["cancel_requested"] is True
    job = await finished(api, job_id)
    assert job["state"] == "cancelled"
    again = await api.delete(f"jobs/{job_id}")
    assert again.status == 409
    assert "already cancelled" in again.body["message"]
