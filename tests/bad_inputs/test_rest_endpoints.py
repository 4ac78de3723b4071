"""Every input of the corpus through every REST endpoint (and every kind of job): no 5xx, every
answer as openapi.yaml says, no request or job over 5 s, and nothing lost."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from nbvc.core.metrics.plots import html_page
from nbvc.server.jobs import FINISHED
from tests.bad_inputs import corpus
from tests.bad_inputs.test_cli_verbs import LIMIT_SECONDS, assert_nothing_lost
from tests.server.conftest import Api

LOCATION = "copy/ws"
GETS: list[tuple[str, dict[str, Any]]] = [
    ("repo", {}),
    ("status", {}),
    ("status", {"artifact": "model.bin"}),
    ("artifacts", {}),
    ("artifacts/versions", {"artifact": "model.bin"}),
    ("artifacts/diff", {"artifact": "model.bin", "a": "v1", "b": "v2"}),
    ("artifacts/diff", {"artifact": "data"}),
    ("changes", {}),
    ("runs", {}),
    ("runs", {"sort": "metric", "name": "acc"}),
    ("params", {}),
    ("params/diff", {}),
    ("metrics", {}),
    ("metrics/diff", {}),
    ("plots", {}),
    ("lineage", {"artifact": "model.bin"}),
    ("lineage/notebook", {"notebook": "x.ipynb"}),
    ("lineage/script", {"artifact": "model.bin"}),
]
POSTS: list[tuple[str, dict[str, Any]]] = [
    ("artifacts/tag", {"artifact": "model.bin", "ref": "v1", "name": "t1"}),
    ("artifacts/add", {"paths": ["model.bin", "data"]}),
    ("artifacts/checkout", {"artifact": "model.bin", "ref": "v1"}),
]
JOBS: list[tuple[str, dict[str, Any]]] = [
    ("add", {"paths": ["data"]}),
    ("checkout", {"artifact": "data"}),
    ("repro", {}),
    ("push", {}),
    ("pull", {}),
    ("gc", {}),
    ("fsck", {}),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("corpus-rest") / "template"
    html_page([])  # the Vega bundle is made once per process, taking seconds: not a hang
    return folder, corpus.build_template(folder)


async def timed(api: Api, method: str, endpoint: str, body: Any = None, **params: Any) -> Any:
    started = time.monotonic()
    answer = await api.call(method, endpoint, body, **params)
    seconds = time.monotonic() - started
    assert answer.status < 500, (method, endpoint, params, answer)
    assert seconds < LIMIT_SECONDS, (method, endpoint, params, f"{seconds:.1f} s")
    return answer


async def job_ends(api: Api, kind: str, args: dict[str, Any]) -> None:
    answer = await timed(api, "POST", "jobs", {"kind": kind, "args": {"path": LOCATION, **args}})
    if answer.status != 202:
        return
    deadline = time.monotonic() + LIMIT_SECONDS
    while True:
        job = (await timed(api, "GET", f"jobs/{answer.body['id']}")).body
        if job["state"] in FINISHED:
            break
        assert time.monotonic() < deadline, f"job {kind} ran over {LIMIT_SECONDS} s: {job}"
        await asyncio.sleep(0.02)
    error = (job["error"] or {}).get("message", "")
    assert not error.startswith("unexpected error"), (kind, error)


@pytest.mark.parametrize("name", corpus.names())
async def test_every_endpoint_survives_the_input(
    name: str,
    template: tuple[Path, dict[str, str]],
    api: Api,
    jp_root_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NBVC_AUTHOR", "corpus")
    folder, oids = template
    ws = corpus.copy_template(folder, jp_root_dir / "copy")
    (entry,) = [e for e in corpus.entries(oids) if e.name == name]
    entry.place(ws)
    runs = await timed(api, "GET", "runs", path=LOCATION)
    gets = list(GETS)
    if runs.status == 200 and runs.body["runs"]:
        gets.append((f"runs/{runs.body['runs'][0]['id']}", {}))
    for endpoint, params in gets:
        await timed(api, "GET", endpoint, path=LOCATION, **params)
    for endpoint, body in POSTS:
        await timed(api, "POST", endpoint, {"path": LOCATION, **body})
    for kind, args in JOBS:
        await job_ends(api, kind, args)
    assert_nothing_lost(ws)
