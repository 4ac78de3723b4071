"""Hostile requests: bodies nested deep or too big are 400/413 (never a 500), and no endpoint
reads a file outside the root through a symlink, for the workspace or any revision."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import commit_all, git
from tests.server.conftest import Api, Project, git_init

POSTS: dict[str, dict[str, Any]] = {
    "artifacts/checkout": {"path": "proj", "artifact": "model.bin"},
    "artifacts/add": {"path": "proj", "paths": ["model.bin"]},
    "artifacts/tag": {"path": "proj", "artifact": "model.bin", "name": "t"},
    "jobs": {"kind": "fsck", "args": {"path": "proj"}},
}
SECRET = "s3cr3t-outside-the-root"


def nested(depth: int) -> str:
    return '{"path": "proj", "artifact": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("endpoint", POSTS)
@pytest.mark.parametrize("depth", [20, 1000, 100_000])
async def test_deeply_nested_bodies_are_400(
    api: Api, project: Project, endpoint: str, depth: int
) -> None:
    answer = await api.post(endpoint, nested(depth))
    assert answer.status == 400, answer
    assert "nested" in answer.body["message"]


@pytest.mark.parametrize("endpoint", POSTS)
async def test_oversized_bodies_are_413(api: Api, project: Project, endpoint: str) -> None:
    body = dict(POSTS[endpoint])
    body["message" if endpoint == "artifacts/add" else "path"] = "x" * (2 << 20)
    answer = await api.post(endpoint, json.dumps(body))
    assert answer.status == 413, answer
    assert "larger than" in answer.body["message"]


@pytest.mark.parametrize("endpoint", POSTS)
@pytest.mark.parametrize(
    "raw", [b'{"path": "\xff\xfe"}', b"\x00\x01", b'{"a": 1e99999}', b'"\\ud800"', b"[" * 50]
)
async def test_bodies_that_are_not_json_are_400(
    api: Api, project: Project, endpoint: str, raw: bytes
) -> None:
    answer = await api.call("POST", endpoint, raw.decode("latin-1"))
    assert answer.status == 400, answer


@pytest.mark.parametrize(
    ("endpoint", "body", "expected"),
    [
        ("artifacts/checkout", {"artifact": "m", "ref": "a b"}, "'ref' is not a valid value"),
        ("artifacts/tag", {"artifact": "m", "name": "t", "ref": 5}, "'ref'"),
        ("jobs", {"kind": "gc", "args": {"keep_last": "3"}}, "'args'.'keep_last'"),
        ("jobs", {"kind": "add", "args": {"paths": [["x"]]}}, "'args'.'paths'[0] must be a"),
        ("jobs", {"kind": 3}, "unknown kind 3"),
    ],
)
async def test_bodies_are_checked_against_the_schema(
    api: Api, project: Project, endpoint: str, body: Any, expected: str
) -> None:
    answer = await api.post(endpoint, {"path": "proj", **body} if endpoint != "jobs" else body)
    assert answer.status == 400, answer
    assert expected in answer.body["message"]


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("outside")
    (folder / "params.yaml").write_text(f"secret: {SECRET}\ntrain: {{lr: 0.1}}\n")
    (folder / "metrics.json").write_text(json.dumps({"secret": 1, SECRET: 2}))
    (folder / "curve.csv").write_text(f"step,{SECRET}\n0,1\n")
    (folder / "nbvc.yaml").write_text("stages: {}\nparams: [params.yaml]\n")
    return folder


PIPELINE = """\
stages:
  train:
    cmd: python -c "print(1)"
    params:
      - train.lr
      - secret
      - conf/params.yaml: [secret]
    metrics: [metrics.json, conf/metrics.json]
    plots: [curve.csv, conf/curve.csv]
"""


def link_everything_outside(project: Project, outside: Path) -> None:
    project.write("nbvc.yaml", PIPELINE)
    for name in ("params.yaml", "metrics.json", "curve.csv"):
        (project.path / name).symlink_to(outside / name)
    (project.path / "conf").symlink_to(outside)  # a folder on the way leads out


READS = [
    ("params", {}),
    ("metrics", {}),
    ("params/diff", {}),
    ("metrics/diff", {}),
    ("params/diff", {"a": "HEAD", "b": "workspace"}),
    ("metrics/diff", {"a": "HEAD", "b": "workspace"}),
    ("params", {"run": "HEAD"}),
    ("plots", {}),
    ("plots", {"runs": "workspace"}),
    ("status", {}),
    ("artifacts", {}),
]


async def test_no_endpoint_reads_through_a_symlink_out_of_the_root(
    api: Api, project: Project, outside: Path
) -> None:
    git_init(project.path)
    link_everything_outside(project, outside)
    commit_all(project.path, "symlinks to outside, committed")
    assert git(project.path, "ls-files", "params.yaml") == "params.yaml"
    (project.path / "nbvc.yaml").unlink()
    (project.path / "nbvc.yaml").symlink_to(outside / "nbvc.yaml")  # the pipeline too
    for endpoint, params in READS:
        answer = await api.get(endpoint, path="proj", **params)
        assert answer.status < 500, (endpoint, params, answer)
        assert SECRET not in json.dumps(answer.body), (endpoint, params, answer.body)
        assert str(outside) not in json.dumps(answer.body), (endpoint, params, answer.body)
    (project.path / "nbvc.yaml").unlink()
    project.write("nbvc.yaml", PIPELINE)
    for endpoint, params in READS:
        answer = await api.get(endpoint, path="proj", **params)
        assert answer.status < 500, (endpoint, params, answer)
        assert SECRET not in json.dumps(answer.body), (endpoint, params, answer.body)
    for name in ("params.yaml", "metrics.json", "curve.csv"):  # only the folder leads out now
        (project.path / name).unlink()
    project.write("params.yaml", "train: {lr: 0.1}\nsecret: fine\n")
    project.write("metrics.json", '{"acc": 1}')
    project.write("curve.csv", "step,v\n0,1\n")
    for endpoint, params in READS:
        answer = await api.get(endpoint, path="proj", **params)
        assert answer.status < 500, (endpoint, params, answer)
        assert SECRET not in json.dumps(answer.body), (endpoint, params, answer.body)


def test_every_operation_with_a_body_is_validated_against_its_schema() -> None:
    """Each route that takes a body knows its operation in openapi.yaml, which has a schema."""
    from nbvc.server import openapi
    from nbvc.server.base import ServerContext
    from nbvc.server.body import _validator
    from nbvc.server.handlers import routes
    from nbvc.server.jobs import JobManager

    paths = openapi.document()["paths"]
    with_body = 0
    for _, handler, kwargs in routes(ServerContext("/", JobManager(workers=1))):
        template = kwargs.get("template")
        for method in ("post", "put", "patch"):
            if template is None or method not in paths.get(template, {}):
                continue
            assert "requestBody" in paths[template][method], (template, method)
            assert _validator(template, method) is not None
            assert method.upper() in handler.allowed_methods()
            with_body += 1
    assert with_body == len(POSTS)
