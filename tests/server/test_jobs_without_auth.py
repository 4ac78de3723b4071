"""A server started without authentication starts no jobs (a repro job runs the repo's
pipeline commands), unless NbvcApp.jobs_without_auth says so. Real servers: pytest-jupyter
always sets a token."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from nbvc.core.repo import Repo
from tests.server.live import live_server


def make_repo(root: Path) -> None:
    (root / "proj").mkdir()
    Repo.init(str(root / "proj"))[0].close()


@pytest.mark.parametrize("flag", [False, True])
def test_jobs_need_authentication_unless_the_flag_says_so(tmp_path: Path, flag: bool) -> None:
    extra = ["--ServerApp.disable_check_xsrf=True"]  # as such servers are usually started
    extra += ["--NbvcApp.jobs_without_auth=True"] if flag else []
    with live_server(tmp_path, token="", extra_args=extra) as server:
        make_repo(server.root)
        repo = requests.get(server.api("repo"), params={"path": "proj"}, timeout=30)
        assert repo.status_code == 200  # the rest answers: no token needed
        for kind in ("repro", "fsck"):
            answer = requests.post(
                server.api("jobs"), json={"kind": kind, "args": {"path": "proj"}}, timeout=30
            )
            if flag:
                assert answer.status_code == 202, answer.text
            else:
                assert answer.status_code == 403, answer.text
                assert "without authentication" in answer.json()["message"]
                assert "NbvcApp.jobs_without_auth" in answer.json()["message"]
        jobs = requests.get(server.api("jobs"), timeout=30).json()["jobs"]
        assert len(jobs) == (2 if flag else 0)
