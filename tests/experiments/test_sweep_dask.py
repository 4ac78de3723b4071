"""Sweeps on Dask: a LocalCluster, and a real scheduler with two workers (separate processes,
loopback TCP) using an S3-protocol remote; a worker killed mid-sweep loses no experiment."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import s3fs

from nbvc.core.engine_options import ExpRunOptions
from nbvc.core.runs.run_record import read_run
from tests.experiments.dask_cluster import DaskCluster, start_cluster
from tests.experiments.kit import git_state, workspace_state
from tests.pipeline.kit import Project, python_on_path, set_param
from tests.remote.servers import AWS_ENV


def _metrics(exp: Project, run_id: str) -> dict[str, object]:
    """The stage's metrics, ``cwd``: the folder its log says it ran in, and ``ancestors``: the
    pids of the processes above it."""
    with exp.repo() as repo:
        run = read_run(repo, run_id)
    values: dict[str, object] = dict(run.metrics["metrics.json"])
    log = run.extra["experiment"]["log"]
    values["cwd"] = log.split(" in ", 1)[1].split("\n", 1)[0]
    values["ancestors"] = [
        int(pid) for pid in log.split("ancestors ", 1)[1].split("\n", 1)[0].split()
    ]
    return values


def test_a_local_cluster_runs_the_points_side_by_side(exp: Project) -> None:
    before, git_before = workspace_state(exp), git_state(exp)
    done = exp.nbvc(
        "exp", "run", "-S", "train.lr=0.01,0.2", "-S", "train.seconds=1.5", "--workers", "2",
        "-n", "local",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert workspace_state(exp) == before and git_state(exp) == git_before
    with exp.repo() as repo:
        rows = repo.experiments.table("local").rows
        runs = [read_run(repo, row.id) for row in rows]
    assert [row.status for row in rows] == ["completed", "completed"]
    spans = [(run.started or 0.0, run.ended or 0.0) for run in runs]
    assert max(start for start, _ in spans) < min(end for _, end in spans), spans  # at once
    for row in rows:
        assert str(exp.root / ".nbvc" / "tmp" / "exps") in str(_metrics(exp, row.id)["cwd"])


@pytest.fixture
def s3_remote(exp: Project, moto_endpoint: str) -> str:
    bucket = f"nbvc-exp-{uuid.uuid4().hex[:10]}"
    s3fs.S3FileSystem(endpoint_url=moto_endpoint).mkdir(bucket)
    url = f"s3://{bucket}/store"
    added = exp.nbvc("remote", "add", "s3", url, "--default", "-o", f"endpoint_url={moto_endpoint}")
    assert added.code == 0, added.err
    pushed = exp.nbvc("push")
    assert pushed.code == 0, pushed.err
    return url


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[DaskCluster]:
    env = {**AWS_ENV, "PATH": python_on_path()}
    started = start_cluster(tmp_path / "dask", workers=2, env=env)  # outside the project
    try:
        yield started
    finally:
        started.stop()


def test_a_real_cluster_runs_the_sweep_and_apply_brings_a_run_back(
    exp: Project, s3_remote: str, cluster: DaskCluster, moto_endpoint: str
) -> None:
    before, git_before = workspace_state(exp), git_state(exp)
    done = exp.nbvc(
        "exp", "run", "-S", "train.lr=0.01,0.05,0.2", "--scheduler", cluster.address, "-n", "c"
    )
    assert done.code == 0, done.err
    assert workspace_state(exp) == before and git_state(exp) == git_before
    workers = cluster.worker_pids()
    with exp.repo() as repo:
        rows = repo.experiments.table("c").rows
        assert all(not repo.odb.exists(_model_oid(exp, row.id)) for row in rows)  # made remotely
    assert [row.status for row in rows] == ["completed"] * 3
    for row in rows:
        metrics = _metrics(exp, row.id)
        ancestors = metrics["ancestors"]  # a shell may stand between the worker and the stage
        assert isinstance(ancestors, list) and set(ancestors) & set(workers), (ancestors, workers)
        assert any(str(folder) in str(metrics["cwd"]) for folder in cluster.folders)
    chosen = rows[0]
    oid = _model_oid(exp, chosen.id)
    s3 = s3fs.S3FileSystem(endpoint_url=moto_endpoint)
    remote_root = s3_remote.removeprefix("s3://")
    on_remote = s3.cat(f"{remote_root}/objects/{oid[:2]}/{oid[2:]}")
    assert s3.exists(f"{remote_root}/records/runs/{chosen.id}.json")
    applied = exp.nbvc("exp", "apply", chosen.name)
    assert applied.code == 0, applied.err
    assert exp.path("model.bin").read_bytes() == on_remote  # byte-identical, fetched
    assert exp.read("model.bin").startswith("model lr=0.01 ")


def test_a_point_run_before_is_restored_on_a_worker_not_rerun(
    exp: Project, s3_remote: str, cluster: DaskCluster
) -> None:
    assert exp.nbvc("repro").code == 0  # lr=0.1, here
    made_here = exp.read("model.bin")
    set_param(exp, "train", "lr", 0.2)
    assert exp.nbvc("repro").code == 0  # the workspace moves on: 0.1 is no longer up to date
    pushed = exp.nbvc("push", "--run-cache")  # metrics.json is `cache: false`: only this sends it
    assert pushed.code == 0, pushed.err
    done = exp.nbvc("exp", "run", "-S", "train.lr=0.1", "--scheduler", cluster.address, "-n", "r")
    assert done.code == 0, done.err
    with exp.repo() as repo:
        (row,) = repo.experiments.table("r").rows
        run = read_run(repo, row.id)
    assert row.status == "completed"
    assert run.stages["train"].get("restored_from")  # the worker fetched the hit's outputs
    assert run.metrics["metrics.json"]["ppid"] not in cluster.worker_pids()  # not run there
    applied = exp.nbvc("exp", "apply", row.name, "--force")
    assert applied.code == 0, applied.err
    assert exp.read("model.bin") == made_here


def _model_oid(exp: Project, run_id: str) -> str:
    with exp.repo() as repo:
        oid: str = read_run(repo, run_id).stages["train"]["outs"]["model.bin"]["oid"]
    return oid


def test_a_worker_killed_mid_sweep_loses_no_experiment(
    exp: Project, s3_remote: str, cluster: DaskCluster
) -> None:
    options = ExpRunOptions(
        set_params=("train.lr=0.01,0.02,0.03,0.04", "train.seconds=2"),
        scheduler=cluster.address,
        name="killed",
    )
    outcome: list[object] = []

    def sweep() -> None:
        with exp.repo() as repo:
            outcome.append(repo.experiments.run(options))

    runner = threading.Thread(target=sweep)
    runner.start()
    victim = _busy_worker(cluster)
    os.kill(victim, signal.SIGKILL)
    runner.join(timeout=120)
    assert not runner.is_alive()
    with exp.repo() as repo:
        rows = repo.experiments.table("killed").rows
    assert len(rows) == 4
    assert all(row.status in ("completed", "failed") for row in rows)  # none silently missing
    errors = [_error(exp, row.id) for row in rows if row.status != "completed"]
    assert sum(row.status == "completed" for row in rows) >= 3, errors


def _busy_worker(cluster: DaskCluster) -> int:
    from distributed import Client

    deadline = time.monotonic() + 60
    with Client(cluster.address, timeout="10s") as client:
        while time.monotonic() < deadline:
            busy = [a for a, keys in client.processing().items() if keys]
            if busy:
                time.sleep(1.0)  # let its stage start
                pids: dict[str, int] = client.run(os.getpid, workers=[busy[0]])
                return pids[busy[0]]
            time.sleep(0.1)
    raise AssertionError("no worker picked up a task")


def test_cancel_reaches_commands_running_on_a_cluster(
    exp: Project, s3_remote: str, cluster: DaskCluster
) -> None:
    options = ExpRunOptions(
        set_params=("train.lr=0.01,0.02,0.03", "train.seconds=60"),
        scheduler=cluster.address,
        name="far",
    )
    runner = threading.Thread(target=lambda: _run(exp, options))
    started = time.monotonic()
    runner.start()
    _busy_worker(cluster)
    assert exp.nbvc("exp", "cancel", "far").code == 0
    runner.join(timeout=60)
    assert not runner.is_alive() and time.monotonic() - started < 45  # not 60 s x 2 rounds
    with exp.repo() as repo:
        table = repo.experiments.table("far")
    assert {row.status for row in table.rows} == {"interrupted"}


def _run(exp: Project, options: ExpRunOptions) -> None:
    with exp.repo() as repo:
        repo.experiments.run(options)


def _error(exp: Project, run_id: str) -> str:
    with exp.repo() as repo:
        details = read_run(repo, run_id).extra["experiment"]
    return f"{details.get('error')}: {details.get('log', '')[-300:]}"
