"""The job framework on its own: states, progress, log, cancel, history."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from nbvc.server.jobs import (
    CANCELLED,
    FAILED,
    FINISHED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    Job,
    JobFailed,
    JobManager,
    Json,
    Progress,
)


@pytest.fixture
def manager() -> Iterator[JobManager]:
    jobs = JobManager(workers=1, keep=3, log_lines=4)
    yield jobs
    jobs.shutdown()


def wait(job: Job, states: frozenset[str] = FINISHED) -> Job:
    deadline = time.monotonic() + 10
    while job.state not in states:
        assert time.monotonic() < deadline, f"job stuck in {job.state}"
        time.sleep(0.005)
    return job


def blocker(release: threading.Event) -> tuple[threading.Event, object]:
    started = threading.Event()

    def fn(progress: Progress, cancel: threading.Event) -> Json:
        started.set()
        release.wait(10)
        return {}

    return started, fn


def test_a_job_reports_steps_log_and_result(manager: JobManager) -> None:
    def fn(progress: Progress, cancel: threading.Event) -> Json:
        task = progress.task("hashing data", 3, unit="file")
        for _ in range(3):
            task.advance()
        task.close()
        progress.log("all hashed")
        return {"hashed": 3}

    job = wait(manager.submit("demo", {"x": 1}, fn))
    doc = job.to_json(tail=10)
    assert doc["state"] == SUCCEEDED
    assert doc["result"] == {"hashed": 3}
    assert doc["error"] is None
    assert doc["progress"] == {"done": 3, "total": 3, "unit": "file", "message": "hashing data"}
    assert doc["log"] == ["hashing data (3 files)", "all hashed", "done"]
    assert doc["args"] == {"x": 1}
    assert doc["started"] <= doc["finished"]


def test_the_log_keeps_its_tail(manager: JobManager) -> None:
    def fn(progress: Progress, cancel: threading.Event) -> Json:
        for i in range(10):
            progress.log(f"line {i}")
        return {}

    job = wait(manager.submit("demo", {}, fn))
    doc = job.to_json(tail=2)
    assert doc["log"] == ["line 9", "done"]
    assert doc["log_lines"] == 11
    assert job.to_json(tail=0)["log"] == []
    assert len(job.to_json(tail=100)["log"]) == 4  # the manager keeps 4 lines


def test_an_expected_failure_keeps_its_message(manager: JobManager) -> None:
    def fn(progress: Progress, cancel: threading.Event) -> Json:
        raise JobFailed("model.bin has unsaved changes")

    job = wait(manager.submit("demo", {}, fn))
    assert job.state == FAILED
    assert job.to_json(0)["error"] == {"message": "model.bin has unsaved changes"}


def test_a_crash_fails_the_job_and_not_the_server(
    manager: JobManager, caplog: pytest.LogCaptureFixture
) -> None:
    def fn(progress: Progress, cancel: threading.Event) -> Json:
        raise KeyError("boom")

    job = wait(manager.submit("demo", {}, fn))
    assert job.state == FAILED
    assert job.error is not None and "unexpected error" in job.error
    assert "crashed" in caplog.text


def test_cancel_stops_a_running_job_at_its_next_step(manager: JobManager) -> None:
    stepping = threading.Event()

    def fn(progress: Progress, cancel: threading.Event) -> Json:
        task = progress.task("looping", None)
        while True:
            task.advance()
            stepping.set()
            time.sleep(0.001)

    job = manager.submit("demo", {}, fn)
    assert stepping.wait(10)
    assert manager.cancel(job.id) is job
    wait(job)
    assert job.state == CANCELLED
    assert job.to_json(5)["cancel_requested"] is True
    assert job.to_json(5)["log"][-1] == "cancelled"


def test_cancel_of_a_queued_job_means_it_never_runs(manager: JobManager) -> None:
    release = threading.Event()
    started, fn = blocker(release)
    first = manager.submit("demo", {}, fn)  # type: ignore[arg-type]
    assert started.wait(10)
    ran = threading.Event()

    def second_fn(progress: Progress, cancel: threading.Event) -> Json:
        ran.set()
        return {}

    second = manager.submit("demo", {}, second_fn)
    assert second.state == QUEUED
    manager.cancel(second.id)
    assert second.state == CANCELLED
    release.set()
    wait(first)
    time.sleep(0.05)
    assert not ran.is_set()
    assert second.state == CANCELLED and second.started is None


def test_cancel_of_a_finished_job_changes_nothing(manager: JobManager) -> None:
    job = wait(manager.submit("demo", {}, lambda p, c: {}))
    assert manager.cancel(job.id) is job
    assert job.state == SUCCEEDED
    assert manager.cancel("no-such-job") is None


def test_old_finished_jobs_are_forgotten(manager: JobManager) -> None:
    jobs = [wait(manager.submit("demo", {"n": n}, lambda p, c: {})) for n in range(5)]
    manager.submit("demo", {"n": 5}, lambda p, c: {})
    remembered = {job.id for job in manager.jobs()}
    assert jobs[0].id not in remembered and jobs[1].id not in remembered
    assert {j.id for j in jobs[2:]} <= remembered
    assert manager.get(jobs[0].id) is None


def test_jobs_are_listed_newest_first(manager: JobManager) -> None:
    a = wait(manager.submit("demo", {}, lambda p, c: {}))
    b = wait(manager.submit("demo", {}, lambda p, c: {}))
    assert [j.id for j in manager.jobs()][:2] == [b.id, a.id]


def test_shutdown_cancels_running_jobs() -> None:
    manager = JobManager(workers=1)
    stepping = threading.Event()

    def fn(progress: Progress, cancel: threading.Event) -> Json:
        while True:
            progress.advance(1)
            stepping.set()
            time.sleep(0.001)

    job = manager.submit("demo", {}, fn)
    assert stepping.wait(10)
    assert job.state == RUNNING
    manager.shutdown()
    assert wait(job).state == CANCELLED
