"""`nbvc remote add | list | default | remove` and where settings and secrets are written."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path

import pytest

from nbvc.core.errors import ConfigError
from nbvc.core.remote import remote_config as remotes
from nbvc.core.repo import Repo
from tests.remote.remote_kit import nbvc


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    Repo.init(str(path))[0].close()
    return path


def read(path: Path) -> dict[str, object]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def test_add_writes_a_table_and_keeps_existing_settings(repo: Path) -> None:
    run = nbvc(
        repo,
        "remote",
        "add",
        "origin",
        "s3://bucket/path",
        "--default",
        "-o",
        "endpoint_url=http://127.0.0.1:9000",
        "-o",
        "jobs=8",
        "-o",
        "config_kwargs.retries.max_attempts=5",
        "-o",
        'client_keys=["/k1", "/k2"]',
    )
    assert run.code == 0, run.err
    doc = read(repo / ".nbvc/config")
    assert doc["core"] == {"link_types": ["reflink", "copy"], "jobs": 0, "remote": "origin"}
    assert doc["remote"] == {
        "origin": {
            "url": "s3://bucket/path",
            "endpoint_url": "http://127.0.0.1:9000",
            "jobs": 8,
            "config_kwargs": {"retries": {"max_attempts": 5}},
            "client_keys": ["/k1", "/k2"],
        }
    }
    with Repo.open(str(repo)) as opened:
        origin = remotes.get(opened)
    assert (origin.name, origin.jobs, origin.is_default) == ("origin", 8, True)
    assert "jobs" not in origin.options and "url" not in origin.options


def test_credentials_are_refused_in_the_tracked_file(repo: Path) -> None:
    for option in ("secret=abc", "key=AKIA", "password=x", "sas_token=t", "account_key=k"):
        run = nbvc(repo, "remote", "add", "r", "s3://b/p", "-o", option)
        assert run.code == 1 and "--local" in run.err, option
    with_password = nbvc(repo, "remote", "add", "r", "ssh://me:pw@host/path")
    assert with_password.code == 1 and "password in the URL" in with_password.err
    assert "remote" not in read(repo / ".nbvc/config")


def test_local_file_holds_secrets_merged_over_shared_settings(repo: Path) -> None:
    assert nbvc(repo, "remote", "add", "-d", "origin", "s3://b/p").code == 0  # DVC's -d
    added = nbvc(repo, "remote", "add", "origin", "s3://b/p", "--local", "-o", "secret=s3cr3t")
    assert added.code == 0
    local = repo / ".nbvc/config.local"
    assert stat.S_IMODE(os.stat(local).st_mode) == 0o600
    assert read(local) == {"remote": {"origin": {"url": "s3://b/p", "secret": "s3cr3t"}}}
    assert "s3cr3t" not in (repo / ".nbvc/config").read_text()
    assert "/config.local" in (repo / ".nbvc/.gitignore").read_text()
    listed = nbvc(repo, "remote", "list", "--json")
    assert json.loads(listed.out) == [
        {
            "name": "origin",
            "url": "s3://b/p",
            "default": True,
            "jobs": None,
            "options": {"secret": "***"},
        }
    ]
    assert "s3cr3t" not in nbvc(repo, "remote", "list").out


def test_default_list_and_remove(repo: Path) -> None:
    assert "No remotes" in nbvc(repo, "remote", "list").out
    assert nbvc(repo, "remote", "add", "a", "/srv/a").code == 0
    assert nbvc(repo, "remote", "add", "b", "/srv/b").code == 0
    with Repo.open(str(repo)) as opened, pytest.raises(ConfigError, match="-r NAME"):
        remotes.get(opened)
    assert nbvc(repo, "remote", "default", "b").code == 0
    shown = nbvc(repo, "remote", "list").out
    assert "b *" in shown and "a *" not in shown
    assert nbvc(repo, "remote", "remove", "b").code == 0
    doc = read(repo / ".nbvc/config")
    assert "remote" not in doc["core"]  # type: ignore[operator]
    assert list(doc["remote"]) == ["a"]  # type: ignore[call-overload]
    with Repo.open(str(repo)) as opened:
        assert remotes.get(opened).name == "a"  # the only one is the default
    missing = nbvc(repo, "remote", "remove", "b")
    assert missing.code == 1 and "no remote called 'b'" in missing.err
    assert nbvc(repo, "remote", "default", "zzz").code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "bad name", "/x"], "cannot be a remote name"),
        (["add", "r", " "], "URL is empty"),
        (["add", "r", "/x", "-o", "novalue"], "key=value"),
        (["add", "r", "/x", "-o", "url=/y"], "second argument"),
        (["add", "r", "/x", "-o", "jobs=0"], "jobs must be"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    repo: Path, args: list[str], message: str
) -> None:
    before = (repo / ".nbvc/config").read_text()
    run = nbvc(repo, "remote", *args)
    assert run.code == 1 and message in run.err
    assert (repo / ".nbvc/config").read_text() == before


def test_invalid_remote_table_in_config(repo: Path) -> None:
    with open(repo / ".nbvc/config", "a") as handle:
        handle.write('\n[remote.broken]\nendpoint_url = "x"\n')
    run = nbvc(repo, "push")
    assert run.code == 1 and "needs a url" in run.err
