"""GET /nbvc/api/runs/{id}/artifact: downloading what a run logged, from a real Jupyter server."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from tornado.httpclient import HTTPClientError, HTTPResponse

import nbvc
from nbvc.core.repo import Repo
from nbvc.core.runs import logging as runlog
from tests.server.conftest import Api, Fetch


@pytest.fixture
def logged(jp_root_dir: Path) -> Iterator[str]:
    """``lab/``: a run that logged a text file, a dict, images along a series and a folder."""
    path = jp_root_dir / "lab"
    path.mkdir()
    Repo.init(str(path))[0].close()
    folder = jp_root_dir / "outputs"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "b.txt").write_text("b inside")
    (folder / "a.csv").write_text("x\n1\n")
    with nbvc.start_run(str(path)) as run:
        nbvc.log_text("all good ✓", "notes/summary.txt")
        nbvc.log_dict({"k": 1}, "conf.json")
        nbvc.log_text("<script>alert(1)</script>", "page.html")
        for step in range(2):
            nbvc.log_image(np.full((2, 2), step * 100, dtype=np.uint8), "frame.png", step=step)
        nbvc.log_artifact(str(folder), "outputs")
    yield run.id
    runlog._active = None


async def download(fetch: Fetch, run_id: str, **params: str) -> HTTPResponse:
    return await fetch("nbvc", "api", "runs", run_id, "artifact", params={"path": "lab", **params})


async def test_a_logged_file_downloads_with_its_type_and_name(jp_fetch: Fetch, logged: str) -> None:
    answer = await download(jp_fetch, logged, name="notes/summary.txt")
    assert answer.code == 200 and answer.body.decode() == "all good ✓"
    assert answer.headers["Content-Type"] == "text/plain"
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="summary.txt"')
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    short = logged.rsplit("-", 1)[-1]  # the short id the panel shows works too
    conf = await download(jp_fetch, short, name="conf.json")
    assert conf.body == b'{\n  "k": 1\n}' and conf.headers["Content-Type"] == "application/json"


async def test_html_someone_logged_cannot_run_script_in_the_page(
    jp_fetch: Fetch, logged: str
) -> None:
    answer = await download(jp_fetch, logged, name="page.html")
    assert answer.body == b"<script>alert(1)</script>"
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in answer.headers["Content-Security-Policy"]


async def test_images_along_a_series_by_step(jp_fetch: Fetch, logged: str) -> None:
    last = await download(jp_fetch, logged, name="frame.png")
    first = await download(jp_fetch, logged, name="frame.png", step="0")
    assert last.body.startswith(b"\x89PNG") and first.body.startswith(b"\x89PNG")
    assert last.body != first.body and last.headers["Content-Type"] == "image/png"


async def test_a_file_of_a_logged_folder(jp_fetch: Fetch, logged: str, api: Api) -> None:
    inner = await download(jp_fetch, logged, name="outputs", file="sub/b.txt")
    assert inner.body == b"b inside"
    assert inner.headers["Content-Disposition"].startswith('attachment; filename="b.txt"')
    whole = await api.get(f"runs/{logged}/artifact", path="lab", name="outputs")
    assert whole.status == 400 and "is a folder" in whole.body["message"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"name": "nothing.txt"}, 404),
        ({"name": "../../.nbvc/config"}, 404),
        ({"name": "/etc/passwd"}, 404),
        ({"name": "outputs", "file": "../../../etc/passwd"}, 404),
        ({"name": "outputs", "file": "/etc/passwd"}, 404),
        ({"name": "notes/summary.txt", "file": "x"}, 400),
        ({"name": "frame.png", "step": "7"}, 404),
        ({"name": "frame.png", "step": "-1"}, 400),
        ({}, 400),
    ],
)
async def test_names_are_looked_up_never_joined_to_a_path(
    api: Api, logged: str, params: dict[str, str], status: int
) -> None:
    answer = await api.get(f"runs/{logged}/artifact", path="lab", **params)
    assert answer.status == status, answer.body


@pytest.mark.parametrize(
    "run_id", ["..", "../../etc", "%2e%2e%2fetc", "/etc/passwd", "nosuchrun1234"]
)
async def test_run_ids_cannot_lead_out_of_the_repo(api: Api, logged: str, run_id: str) -> None:
    answer = await api.get(
        f"runs/{urllib.parse.quote(run_id, safe='')}/artifact", path="lab", name="conf.json"
    )
    assert answer.status in (400, 404), answer.body


async def test_the_repo_location_cannot_lead_out_of_the_server_root(api: Api, logged: str) -> None:
    answer = await api.get(f"runs/{logged}/artifact", path="../..", name="conf.json")
    assert answer.status == 403


async def test_no_token_no_download(jp_fetch: Fetch, logged: str) -> None:
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch(
            "nbvc",
            "api",
            "runs",
            logged,
            "artifact",
            params={"path": "lab", "name": "conf.json"},
            headers={"Authorization": ""},
        )
    assert refused.value.code == 403
