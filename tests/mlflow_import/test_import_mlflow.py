"""`nbvc import mlflow`: runs written by the real mlflow package, from a SQLite store and from
the legacy file store, come in whole and only once."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from nbvc.core import RunStatus
from tests.pipeline.kit import Project
from tests.server.live import free_port

SERVER_START_SECONDS = 180  # imports and a fresh database's migrations: ~10 s, more when busy

WRITE_RUNS = textwrap.dedent(
    """
    import sys, mlflow
    mlflow.set_tracking_uri(sys.argv[1])
    mlflow.set_experiment("churn")
    with open("notes.txt", "w") as f:
        f.write("hello")
    with mlflow.start_run(run_name="sweep", description="a small sweep") as parent:
        mlflow.set_tag("stage", "prod")
        for fold in range(2):
            with mlflow.start_run(run_name=f"fold-{fold}", nested=True):
                mlflow.log_param("fold", fold)
                mlflow.log_param("model", "rf")
                for step in range(3):
                    mlflow.log_metric("loss", 1.0 / (step + 1 + fold), step=step)
                mlflow.log_metric("accuracy", 0.8 + fold / 10)
        mlflow.log_artifact("notes.txt", artifact_path="docs")
    mlflow.set_experiment("other")
    with mlflow.start_run(run_name="broken"):
        mlflow.log_metric("accuracy", 0.1)
        mlflow.end_run(status="FAILED")
    print(parent.info.run_id)
    """
)


def write_mlflow(folder: Path, uri: str, file_store: bool = False) -> str:
    env = {**os.environ, "MLFLOW_ALLOW_FILE_STORE": "true"} if file_store else dict(os.environ)
    env.pop("MLFLOW_TRACKING_URI", None)
    done = subprocess.run(
        [sys.executable, "-c", WRITE_RUNS, uri],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("store", ["sqlite", "file"])
def test_runs_come_in_whole_and_only_once(project: Project, store: str) -> None:
    if store == "sqlite":
        source = f"sqlite:///{project.root}/mlflow.db"
        parent_id = write_mlflow(project.root, source)
        arguments: list[str] = []  # found in the repo by itself
    else:
        source = f"file://{project.root}/mlruns"
        parent_id = write_mlflow(project.root, source, file_store=True)
        arguments = [str(project.root / "mlruns")]
    assert "MLFLOW_ALLOW_FILE_STORE" not in os.environ
    check_imported_whole_and_once(project, arguments, parent_id)
    assert "MLFLOW_ALLOW_FILE_STORE" not in os.environ  # set for the import only


def test_runs_come_in_from_a_tracking_server(project: Project, tmp_path: Path) -> None:
    """A real `mlflow server` on loopback (SQLite behind it, artifacts served through it)."""
    with mlflow_server(tmp_path / "server") as url:
        parent_id = write_mlflow(project.root, url)
        check_imported_whole_and_once(project, [url], parent_id)
    with project.repo() as repo:
        (sweep,) = [repo.runs.get(r["id"]) for r in repo.runs.search() if r["name"] == "sweep"]
    assert sweep.extra["imported"]["uri"] == url


def test_a_server_that_does_not_answer_is_one_line(project: Project) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = project.nbvc("import", "mlflow", url)
    assert time.monotonic() - started < 60  # MLflow's own retries alone took four minutes
    assert result.code == 1, result.out
    assert result.err.startswith(f"nbvc: error: cannot read MLflow store {url}")
    assert len(result.err.strip().splitlines()) == 1


def check_imported_whole_and_once(project: Project, arguments: list[str], parent_id: str) -> None:
    first = project.nbvc("import", "mlflow", *arguments)
    assert first.code == 0, first.err
    assert first.out.startswith("Imported 4 runs (1 artifact files) from ")
    with project.repo() as repo:
        runs = {r["name"]: repo.runs.get(r["id"]) for r in repo.runs.search()}
    assert set(runs) == {"sweep", "fold-0", "fold-1", "broken"}
    sweep, fold = runs["sweep"], runs["fold-1"]
    assert sweep.source == "mlflow" and sweep.status is RunStatus.COMPLETED
    assert sweep.extra["imported"]["run_id"] == parent_id
    assert sweep.tags == {"stage": "prod", "mlflow.experiment": "churn"}
    assert sweep.note == "a small sweep"
    assert sweep.started and sweep.ended and sweep.ended >= sweep.started
    assert [(a.name, a.size) for a in sweep.artifacts] == [("docs/notes.txt", 5)]
    assert fold.parent == sweep.id
    assert fold.params == {"logged": {"fold": "1", "model": "rf"}}
    assert fold.metrics["logged"]["accuracy"] == pytest.approx(0.9)
    assert [p[:2] for p in fold.series["loss"]] == [[0, 0.5], [1, 1 / 3], [2, 0.25]]
    assert runs["broken"].status is RunStatus.FAILED
    with project.repo() as repo:
        assert repo.runs.artifact_bytes(sweep.id, "docs/notes.txt") == b"hello"
    again = project.nbvc("import", "mlflow", *arguments)
    assert again.code == 0 and "Imported 0 runs" in again.out and "4 imported before" in again.out
    searched = json.loads(
        project.nbvc("runs", "--json", "--filter", "params.model = 'rf'", "--sort", "loss").out
    )
    assert [r["name"] for r in searched] == ["fold-1", "fold-0"]


@contextlib.contextmanager
def mlflow_server(folder: Path) -> Iterator[str]:
    """`mlflow server` on a free loopback port, in a process group of its own (uvicorn's
    worker and all), stopped with it."""
    folder.mkdir()
    port = free_port()
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}  # no job runners
    env.pop("MLFLOW_TRACKING_URI", None)
    command = [
        sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--backend-store-uri", f"sqlite:///{folder}/mlflow.db",
        "--artifacts-destination", str(folder / "artifacts"),
    ]  # fmt: skip
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _healthy(url):
            assert server.poll() is None, (folder / "server.log").read_text()
            assert time.monotonic() < deadline, "mlflow server did not start"
            time.sleep(0.25)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        with contextlib.suppress(ProcessLookupError):  # its worker, if it outlived the parent
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def test_a_store_that_is_not_there_is_one_line(project: Project) -> None:
    result = project.nbvc("import", "mlflow")
    assert result.code == 1 and result.err.startswith("nbvc: error: no mlflow.db or mlruns/")
    result = project.nbvc("import", "mlflow", "nowhere.db")
    assert result.code == 1 and "no such MLflow store" in result.err
