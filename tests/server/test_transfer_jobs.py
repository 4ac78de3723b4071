"""The ``push`` and ``pull`` jobs against a remote in a local folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nbvc.core.remote import remote_config
from nbvc.core.repo import Repo
from tests.server.conftest import Api, Project, finished


@pytest.fixture
def remote(project: Project, tmp_path: Path) -> Path:
    """A folder remote ``store`` (the default) for ``proj/``."""
    store = tmp_path / "store"
    with Repo.open(str(project.path)) as repo:
        remote_config.add(repo, "store", str(store), default=True)
    return store


async def start(api: Api, kind: str, **args: object) -> dict[str, object]:
    answer = await api.post("jobs", {"kind": kind, "args": {"path": "proj", **args}})
    assert answer.status == 202, answer
    job: dict[str, object] = await finished(api, answer.body["id"])
    return job


async def test_push_then_pull_restores_a_lost_file(
    api: Api, project: Project, remote: Path
) -> None:
    pushed = await start(api, "push")
    assert pushed["state"] == "succeeded", pushed
    result = pushed["result"]
    assert isinstance(result, dict)
    assert result["remote"] == "store" and result["objects"] >= 3 and result["records"] >= 3
    log = pushed["log"]
    assert isinstance(log, list)
    assert any("pushed" in line for line in log)
    again = await start(api, "push")
    assert again["result"] == {**result, "objects": 0, "bytes": 0, "records": 0}

    model = project.path / "model.bin"
    with Repo.open(str(project.path)) as repo:
        for oid in list(repo.odb.iter_oids()):
            repo.odb.remove(oid)
    os.remove(model)
    pulled = await start(api, "pull", targets=["model.bin"])
    assert pulled["state"] == "succeeded", pulled
    pull_result = pulled["result"]
    assert isinstance(pull_result, dict)
    assert pull_result["checked_out"] == [{"path": "model.bin", "version": "v2", "changed": True}]
    assert pull_result["skipped"] == []
    assert model.read_text() == "weights 2\n"


async def test_push_to_an_unknown_remote_fails_the_job(
    api: Api, project: Project, remote: Path
) -> None:
    job = await start(api, "push", remote="elsewhere")
    assert job["state"] == "failed"
    error = job["error"]
    assert isinstance(error, dict)
    assert "there is no remote called 'elsewhere'" in error["message"]


async def test_push_without_a_remote_says_how_to_add_one(api: Api, project: Project) -> None:
    job = await start(api, "push")
    assert job["state"] == "failed"
    error = job["error"]
    assert isinstance(error, dict)
    assert "nbvc remote add" in error["message"]


@pytest.mark.parametrize(
    ("kind", "args", "status", "message"),
    [
        ("push", {"force": True}, 400, "unknown field(s): force"),
        ("pull", {"all_versions": "yes"}, 400, "'all_versions' must be true or false"),
        ("pull", {"targets": ["../../etc/passwd"]}, 403, "outside the root"),
        ("push", {"remote": 3}, 400, "'remote' must be a string"),
    ],
)
async def test_bad_transfer_args_are_refused_before_starting(
    api: Api, project: Project, kind: str, args: dict[str, object], status: int, message: str
) -> None:
    answer = await api.post("jobs", {"kind": kind, "args": {"path": "proj", **args}})
    assert answer.status == status
    assert message in answer.body["message"]
