"""Malformed requests get a 400 that names the problem, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import Api, Project


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ("null", "must be a JSON object"),
        ({"path": "proj"}, "needs the field 'artifact'"),
        ({"path": "proj", "artifact": 3}, "'artifact' must be a string"),
        ({"path": "proj", "artifact": "model.bin", "force": "yes"}, "'force' must be true"),
        ({"path": "proj", "artifact": "model.bin", "colour": 1}, "unknown field(s): colour"),
        ({"path": None, "artifact": "model.bin"}, "'path' must not be null"),
        ({"path": "proj", "artifact": "x" * 1025}, "longer than 1024"),
        ({"path": "proj", "artifact": ""}, "'artifact' must not be empty"),
    ],
)
async def test_bad_checkout_bodies(api: Api, project: Project, body: Any, expected: str) -> None:
    answer = await api.post("artifacts/checkout", body)
    assert answer.status == 400
    assert expected in answer.body["message"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"path": "proj"}, "needs the field 'paths'"),
        ({"path": "proj", "paths": []}, "'paths' must not be empty"),
        ({"path": "proj", "paths": "model.bin"}, "'paths' must be a list"),
        ({"path": "proj", "paths": ["model.bin", 7]}, "'paths'[1] must be a string"),
        ({"path": "proj", "paths": ["model.bin"], "tags": [""]}, "'tags'[0] must not be empty"),
        ({"path": "proj", "paths": ["model.bin"], "tags": ["a b"]}, "cannot be a tag"),
    ],
)
async def test_bad_add_bodies(api: Api, project: Project, body: Any, expected: str) -> None:
    answer = await api.post("artifacts/add", body)
    assert answer.status == 400
    assert expected in answer.body["message"]


async def test_an_empty_body_is_400(api: Api, project: Project) -> None:
    answer = await api.post("artifacts/tag", "")
    assert answer.status == 400
    assert "must be a JSON object" in answer.body["message"]


async def test_a_null_ref_means_the_pointer_version(api: Api, project: Project) -> None:
    body = {"path": "proj", "artifact": "model.bin", "ref": None}
    assert (await api.ok("POST", "artifacts/checkout", body))["version"] == "v2"


async def test_a_percent_sign_in_a_path_survives_the_error_message(
    api: Api, project: Project
) -> None:
    answer = await api.get("artifacts/versions", path="proj", artifact="100%s.bin")
    assert answer.status == 404
    assert "100%s.bin" in answer.body["message"]


async def test_error_messages_do_not_show_the_server_root(api: Api, project: Project) -> None:
    answer = await api.post("artifacts/add", {"path": "proj", "paths": [".nbvc/config"]})
    assert answer.status == 400
    assert "proj/.nbvc/config" in answer.body["message"]
    assert str(project.root) not in answer.body["message"]


async def test_unknown_route_under_the_api_is_404(api: Api, project: Project) -> None:
    answer = await api.get("experiments", path="proj")
    assert answer.status == 404


async def test_a_method_a_route_lacks_is_405_with_allow(api: Api, project: Project) -> None:
    api.contract = False  # the contract lists what each route does, not what it refuses
    answer = await api.call("DELETE", "repo")
    assert answer.status == 405
    assert answer.headers["Allow"] == "GET"
    jobs = await api.call("PUT", "jobs", body="{}")
    assert (jobs.status, jobs.headers["Allow"]) == (405, "GET, POST")
