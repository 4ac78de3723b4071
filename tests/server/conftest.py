"""Fixtures for the server tests: an in-process jupyter server (pytest-jupyter) with nbvc.

pytest-jupyter's fixtures are imported here rather than listed in a root ``pytest_plugins``:
pytest accepts ``pytest_plugins`` only in the root conftest, and there its autouse event-loop
and server-cleanup fixtures would wrap every test of the suite (kernel and nbclient tests
included). Imported here, they apply to ``tests/server`` only.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPClientError, HTTPResponse
from traitlets.config import Config

from nbvc.core.repo import Repo
from nbvc.server.jobs import FINISHED
from tests.server.contract import check_answer, operation

Fetch = Callable[..., Awaitable[HTTPResponse]]


@pytest.fixture  # type: ignore[no-redef]  # replaces pytest-jupyter's fixture of this name
def jp_server_config() -> Config:
    return Config(
        {
            "ServerApp": {
                "jpserver_extensions": {"nbvc": True, "jupyter_server_terminals": False},
                "allow_unauthenticated_access": False,
            },
            "IdentityProvider": {"token": "nbvc-test-token"},
            "NbvcApp": {"job_workers": 1},
        }
    )


@pytest.fixture(autouse=True)
def _author(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBVC_AUTHOR", "Test User")


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Api:
    """JSON calls to ``/nbvc/api/...`` that return the answer instead of raising on 4xx."""

    fetch: Fetch
    contract: bool = True  # check every answer against openapi.yaml

    async def call(self, method: str, endpoint: str, body: Any = None, **params: Any) -> Answer:
        pairs = [
            (name, item)
            for name, value in params.items()
            for item in (value if isinstance(value, list) else [value])
        ]
        kwargs: dict[str, Any] = {"method": method, "params": pairs}
        if body is not None:
            kwargs["body"] = body if isinstance(body, str) else json.dumps(body)
        elif method == "POST":
            kwargs["body"] = ""
        try:
            response = await self.fetch("nbvc", "api", *endpoint.split("/"), **kwargs)
        except HTTPClientError as error:
            assert error.response is not None
            response = error.response
        text = response.body.decode("utf-8")
        assert response.headers["Content-Type"].startswith("application/json")
        body = json.loads(text) if text else None
        path = "/nbvc/api/" + endpoint
        if not self.contract:
            pass
        elif operation(method, path) is not None:
            check_answer(method, path, response.code, body)
        else:  # a path the contract does not name
            assert response.code == 404, (method, path, response.code)
        return Answer(response.code, body, dict(response.headers))

    async def get(self, endpoint: str, **params: Any) -> Answer:
        return await self.call("GET", endpoint, **params)

    async def post(self, endpoint: str, body: Any) -> Answer:
        return await self.call("POST", endpoint, body)

    async def delete(self, endpoint: str) -> Answer:
        return await self.call("DELETE", endpoint)

    async def ok(self, method: str, endpoint: str, body: Any = None, **params: Any) -> Any:
        answer = await self.call(method, endpoint, body, **params)
        assert answer.status in (200, 202), answer
        return answer.body


async def finished(api: Api, job_id: str, timeout: float = 30) -> Any:
    """The job once it has finished (polled through the API)."""
    deadline = time.monotonic() + timeout
    while True:
        job = await api.ok("GET", f"jobs/{job_id}")
        if job["state"] in FINISHED:
            return job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.02)


@pytest.fixture
def api(jp_fetch: Fetch) -> Api:
    return Api(jp_fetch)


@dataclass
class Project:
    """An nbvc repo at ``proj/`` under the server root, with helpers to change it."""

    root: Path  # the server root
    path: Path  # the repo root

    def write(self, relative: str, text: str) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def add(self, *paths: str, message: str = "", tags: tuple[str, ...] = ()) -> None:
        with Repo.open(str(self.path)) as repo:
            repo.add([str(self.path / p) for p in paths], message=message, tags=tags)


@pytest.fixture
def project(jp_root_dir: Path) -> Iterator[Project]:
    """``proj/`` with ``model.bin`` (v1 tagged ``base``, then v2) and ``data/`` (v1)."""
    path = jp_root_dir / "proj"
    path.mkdir()
    repo, _ = Repo.init(str(path))
    repo.close()
    project = Project(jp_root_dir, path)
    project.write("model.bin", "weights 1\n")
    project.write("data/a.csv", "x\n1\n")
    project.write("data/b.csv", "y\n2\n")
    project.add("model.bin", "data", message="first", tags=("base",))
    project.write("model.bin", "weights 2\n")
    project.add("model.bin", message="retrained")
    yield project


def git_init(path: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", str(path)], check=True, env=env)
