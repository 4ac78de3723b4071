"""Auth, XSRF and path traversal against a real `jupyter server` process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from nbvc.core.repo import Repo
from tests.server.live import LiveServer, live_server

GET_ROUTES = [
    "repo?path=proj",
    "status?path=proj",
    "artifacts?path=proj",
    "artifacts/versions?path=proj&artifact=model.bin",
    "artifacts/diff?path=proj&artifact=model.bin",
    "artifacts/usage?path=proj",
    "changes?path=proj",
    "runs/last/artifact?path=proj&name=model",
    "jobs",
    "jobs/0",
    "openapi.json",
    "no/such/route",
]
POST_ROUTES = {
    "artifacts/checkout": {"path": "proj", "artifact": "model.bin"},
    "artifacts/add": {"path": "proj", "paths": ["model.bin"]},
    "artifacts/tag": {"path": "proj", "artifact": "model.bin", "name": "t"},
    "jobs": {"kind": "fsck", "args": {"path": "proj"}},
}
SECRET = "outside the server root: must never be served"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    work = tmp_path_factory.mktemp("live")
    with live_server(work) as running:
        _make_fixture_repos(running.root, work / "outside")
        yield running


def _make_fixture_repos(root: Path, outside: Path) -> None:
    """``proj`` (model.bin v1) under the root; a repo with a secret outside, symlinked in."""
    os.environ["NBVC_AUTHOR"] = "Live Test"
    proj = root / "proj"
    proj.mkdir()
    (proj / "model.bin").write_text("weights\n")
    with Repo.init(str(proj))[0] as repo:
        repo.add([str(proj / "model.bin")], message="first")
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    with Repo.init(str(outside))[0] as repo:
        repo.add([str(outside / "secret.txt")])
    (root / "door").symlink_to(outside, target_is_directory=True)
    (proj / "link.txt").symlink_to(outside / "secret.txt")
    (proj / "linkdir").symlink_to(outside, target_is_directory=True)


# -- authentication ------------------------------------------------------------------------
@pytest.mark.parametrize("route", GET_ROUTES)
def test_get_without_credentials_is_refused(server: LiveServer, route: str) -> None:
    answer = requests.get(server.api(route), timeout=10)
    assert answer.status_code == 403
    assert "weights" not in answer.text


@pytest.mark.parametrize("route", GET_ROUTES)
def test_get_with_a_wrong_token_is_refused(server: LiveServer, route: str) -> None:
    answer = requests.get(server.api(route), headers={"Authorization": "token wrong"}, timeout=10)
    assert answer.status_code == 403


@pytest.mark.parametrize(("route", "body"), POST_ROUTES.items())
def test_post_without_credentials_is_refused(server: LiveServer, route: str, body: Any) -> None:
    answer = requests.post(server.api(route), json=body, timeout=10)
    assert answer.status_code == 403


def test_delete_without_credentials_is_refused(server: LiveServer) -> None:
    assert requests.delete(server.api("jobs/0"), timeout=10).status_code == 403


def test_the_token_opens_every_get_route(server: LiveServer) -> None:
    for route in GET_ROUTES:
        answer = requests.get(server.api(route), headers=server.auth, timeout=10)
        assert answer.status_code in (200, 404), (route, answer.text)
        assert answer.headers["Content-Type"].startswith("application/json")


# -- XSRF for cookie sessions ----------------------------------------------------------------
@pytest.fixture
def browser(server: LiveServer) -> requests.Session:
    """A session logged in with the login form, as a browser would be (cookies, no token)."""
    session = requests.Session()
    session.get(server.url + "login", timeout=10)
    xsrf = session.cookies["_xsrf"]
    answer = session.post(
        server.url + "login",
        data={"password": server.token, "_xsrf": xsrf},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return session


def test_a_cookie_session_may_read(server: LiveServer, browser: requests.Session) -> None:
    answer = browser.get(server.api("repo?path=proj"), timeout=10)
    assert answer.status_code == 200
    assert answer.json()["root"] == "proj"


@pytest.mark.parametrize(("route", "body"), POST_ROUTES.items())
def test_a_cookie_session_must_send_xsrf_to_post(
    server: LiveServer, browser: requests.Session, route: str, body: Any
) -> None:
    answer = browser.post(server.api(route), json=body, timeout=10)
    assert answer.status_code == 403
    assert "_xsrf" in answer.json()["message"]


def test_a_cookie_session_must_send_xsrf_to_delete(
    server: LiveServer, browser: requests.Session
) -> None:
    answer = browser.delete(server.api("jobs/0"), timeout=10)
    assert answer.status_code == 403


def test_a_cookie_session_with_xsrf_may_post(server: LiveServer, browser: requests.Session) -> None:
    headers = {"X-XSRFToken": str(browser.cookies["_xsrf"])}
    body = {"path": "proj", "artifact": "model.bin", "name": "from-browser"}
    answer = browser.post(server.api("artifacts/tag"), json=body, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    assert "from-browser" in answer.json()["version"]["tags"]


# -- path traversal ----------------------------------------------------------------------------
def _get(server: LiveServer, route: str, **params: str) -> requests.Response:
    return requests.get(server.api(route), params=params, headers=server.auth, timeout=10)


def _post(server: LiveServer, route: str, body: Any) -> requests.Response:
    return requests.post(server.api(route), json=body, headers=server.auth, timeout=10)


@pytest.mark.parametrize("path", ["..", "../..", "proj/../..", "proj/../../outside", "./../x"])
def test_dotdot_locations_are_403(server: LiveServer, path: str) -> None:
    for route in ("repo", "artifacts", "status", "changes"):
        answer = _get(server, route, path=path)
        assert answer.status_code == 403, (route, path, answer.text)


def test_an_encoded_dotdot_is_still_refused(server: LiveServer) -> None:
    answer = requests.get(
        server.api("repo") + "?path=%2e%2e%2f%2e%2e", headers=server.auth, timeout=10
    )
    assert answer.status_code == 403


@pytest.mark.parametrize("path", ["/", "/etc", "//etc", "/tmp/../etc"])
def test_absolute_locations_are_400(server: LiveServer, path: str) -> None:
    answer = _get(server, "repo", path=path)
    assert answer.status_code == 400
    assert "relative" in answer.json()["message"]


def test_a_symlinked_folder_leading_out_is_403(server: LiveServer) -> None:
    for path in ("door", "door/secret.txt", "proj/linkdir"):
        answer = _get(server, "artifacts", path=path)
        assert answer.status_code == 403, (path, answer.text)
        assert SECRET not in answer.text


@pytest.mark.parametrize(
    ("route", "params"),
    [
        ("artifacts/versions", {"artifact": "../../outside/secret.txt"}),
        ("artifacts/versions", {"artifact": "link.txt"}),
        ("artifacts/diff", {"artifact": "linkdir/secret.txt"}),
        ("status", {"artifact": "link.txt"}),
    ],
)
def test_artifact_names_leading_out_are_403(
    server: LiveServer, route: str, params: dict[str, str]
) -> None:
    answer = _get(server, route, path="proj", **params)
    assert answer.status_code == 403, answer.text
    assert SECRET not in answer.text


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("artifacts/add", {"path": "proj", "paths": ["link.txt"]}),
        ("artifacts/add", {"path": "proj", "paths": ["linkdir"]}),
        ("artifacts/add", {"path": "proj", "paths": ["../door/secret.txt"]}),
        ("artifacts/checkout", {"path": "proj", "artifact": "linkdir/secret.txt"}),
        ("artifacts/tag", {"path": "door", "artifact": "secret.txt", "name": "x"}),
        ("jobs", {"kind": "add", "args": {"path": "proj", "paths": ["link.txt"]}}),
        ("jobs", {"kind": "gc", "args": {"path": "door"}}),
    ],
)
def test_writes_through_escaping_paths_are_403(server: LiveServer, route: str, body: Any) -> None:
    answer = _post(server, route, body)
    assert answer.status_code == 403, answer.text
    assert not (server.root / "proj" / "link.txt.nbvc").exists()


def test_nothing_outside_was_touched(server: LiveServer) -> None:
    outside = server.root.parent / "outside"
    assert (outside / "secret.txt").read_text() == SECRET
    assert sorted(p.name for p in outside.iterdir()) == [
        ".gitignore",
        ".nbvc",
        "secret.txt",
        "secret.txt.nbvc",
    ]
