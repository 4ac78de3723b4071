"""Bad URLs, missing backends, unreachable servers and missing credentials: clear errors, fast."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import s3fs

from nbvc.core.errors import ConfigError, RemoteError
from nbvc.core.remote import remote_config as remotes
from nbvc.core.repo import Repo
from tests.remote.remote_kit import nbvc, write_dataset
from tests.remote.servers import AWS_ENV, Sshd, free_port

BOUND_SECONDS = 15


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repo]:
    opened, _ = Repo.init(str(tmp_path / "repo"))
    write_dataset(Path(opened.root) / "data", 3, seed=1)
    opened.add([str(Path(opened.root) / "data")])
    yield opened
    opened.close()


def push_error(repo: Repo, url: str, **options: object) -> tuple[str, float]:
    remotes.add(repo, "broken", url, dict(options), default=True)
    started = time.monotonic()
    with pytest.raises(RemoteError) as raised:
        repo.push()
    return str(raised.value), time.monotonic() - started


@pytest.mark.parametrize(
    ("url", "extra", "package"),
    [("gs://bucket/path", "gs", "gcsfs"), ("az://container/path", "azure", "adlfs")],
)
def test_missing_backend_names_the_extra_to_install(
    repo: Repo, url: str, extra: str, package: str
) -> None:
    message, _ = push_error(repo, url)
    assert f"pip install 'nbvc[{extra}]'" in message and package in message


def test_missing_backend_named_by_the_cli(repo: Repo) -> None:
    remotes.add(repo, "gcs", "gs://bucket/path")
    run = nbvc(Path(repo.root), "push", "-r", "gcs")
    assert run.code == 1 and "nbvc[gs]" in run.err


def test_unknown_scheme_is_a_clear_error(repo: Repo) -> None:
    remotes.add(repo, "odd", "nosuchscheme://host/path", default=True)
    with pytest.raises(ConfigError, match="nosuchscheme:// is not a known storage scheme"):
        repo.push()


def test_local_remote_that_is_a_file(repo: Repo, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    remotes.add(repo, "file", str(tmp_path / "afile"), default=True)
    with pytest.raises(ConfigError, match="is a file, not a folder"):
        repo.push()


def test_http_remote_is_read_only(repo: Repo) -> None:
    pytest.importorskip("aiohttp")
    remotes.add(repo, "web", f"http://127.0.0.1:{free_port()}/store", default=True)
    with pytest.raises(RemoteError, match="read-only"):
        repo.push()


def test_unreachable_s3_endpoint_fails_fast(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)
    message, took = push_error(
        repo, "s3://bucket/store", endpoint_url=f"http://127.0.0.1:{free_port()}"
    )
    assert "could not be reached" in message and "remote 'broken'" in message
    assert took < BOUND_SECONDS


def test_missing_s3_credentials(
    repo: Repo, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    s3fs.S3FileSystem.clear_instance_cache()  # forget clients made with the test credentials
    message, took = push_error(repo, "s3://bucket/store", endpoint_url=moto_endpoint)
    assert "no credentials were found" in message and "AWS_ACCESS_KEY_ID" in message
    assert took < BOUND_SECONDS
    s3fs.S3FileSystem.clear_instance_cache()


def test_missing_bucket(repo: Repo, moto_endpoint: str) -> None:
    message, _ = push_error(repo, "s3://no-such-bucket/store", endpoint_url=moto_endpoint)
    assert "does not exist" in message


def test_unreachable_ssh_server_fails_fast(repo: Repo) -> None:
    pytest.importorskip("sshfs")
    message, took = push_error(repo, f"ssh://nobody@127.0.0.1:{free_port()}/store")
    assert "could not be reached" in message
    assert took < BOUND_SECONDS


def test_ssh_key_not_accepted(
    repo: Repo, sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)  # only the key given may be tried
    stranger = tmp_path / "stranger_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    message, took = push_error(
        repo,
        sshd.url(str(tmp_path / "store")),
        client_keys=[str(stranger)],
        known_hosts=sshd.known_hosts,
    )
    assert "access was denied" in message
    assert took < BOUND_SECONDS


def test_wrong_ssh_host_key_is_refused(repo: Repo, sshd: Sshd, tmp_path: Path) -> None:
    wrong = tmp_path / "known_hosts"
    other = (sshd.home / "user_key.pub").read_text()  # a valid key, but not the host's
    wrong.write_text(f"[127.0.0.1]:{sshd.port} {other}")
    message, _ = push_error(
        repo,
        sshd.url(str(tmp_path / "store")),
        client_keys=[sshd.client_key],
        known_hosts=str(wrong),
    )
    assert "host key could not be verified" in message


def test_unknown_ssh_host_is_refused_by_default(
    repo: Repo, sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.ssh/known_hosts that lists the server
    message, _ = push_error(repo, sshd.url(str(tmp_path / "store")), client_keys=[sshd.client_key])
    assert "host key could not be verified" in message and "known_hosts" in message


def test_no_default_remote(repo: Repo) -> None:
    with pytest.raises(ConfigError, match="no default remote"):
        repo.push()
