"""Real storage servers on loopback for the remote tests, started and stopped by the tests.

- ``moto_endpoint``: moto's S3 server (``moto_server``) on a free port, with dummy credentials in
  the environment (and the EC2 metadata lookup disabled, so botocore never leaves loopback).
- ``sshd``: OpenSSH's sshd on a free port with a throwaway host key and user key; skipped, with
  the reason, only where /usr/sbin/sshd is not installed (`.ci/run` installs openssh-server).
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SSHD = "/usr/sbin/sshd"
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(
    ready: Callable[[], bool], what: str, proc: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log.read_text(errors='replace')}")
        if ready():
            return
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{what} did not start within 20 s:\n{log.read_text(errors='replace')}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = shutil.which("moto_server", path=os.path.dirname(sys.executable)) or shutil.which(
        "moto_server"
    )
    assert server, "moto_server is missing: pip install -e '.[dev]' installs moto[server]"
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with pytest.MonkeyPatch.context() as patch:
        for key, value in AWS_ENV.items():
            patch.setenv(key, value)
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [server, "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=out
            )
        endpoint = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                with urllib.request.urlopen(endpoint + "/", timeout=1):
                    return True
            except OSError:
                return False

        try:
            _wait_for(ready, "moto_server", proc, log)
            yield endpoint
        finally:
            _stop(proc)


@dataclass(frozen=True)
class Sshd:
    port: int
    user: str
    client_key: str
    known_hosts: str
    home: Path

    def url(self, path: str) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}{path}"

    @property
    def options(self) -> dict[str, object]:
        return {"client_keys": [self.client_key], "known_hosts": self.known_hosts}


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    if not os.path.exists(SSHD):
        pytest.skip(f"{SSHD} is not installed (apt-get install openssh-server)")
    home = tmp_path_factory.mktemp("sshd")
    for key in ("host_key", "user_key"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / key)], check=True
        )
    port = free_port()
    config = home / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {home / 'host_key'}\n"
        f"AuthorizedKeysFile {home / 'user_key.pub'}\nPasswordAuthentication no\n"
        f"PidFile {home / 'sshd.pid'}\nStrictModes no\nSubsystem sftp internal-sftp\n"
        "MaxSessions 32\nMaxStartups 64\n"
    )
    known_hosts = home / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {(home / 'host_key.pub').read_text()}")
    os.makedirs("/run/sshd", exist_ok=True)
    log = home / "sshd.log"
    proc = subprocess.Popen([SSHD, "-D", "-f", str(config), "-E", str(log)])

    def ready() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                return sock.recv(4).startswith(b"SSH-")
        except OSError:
            return False

    try:
        _wait_for(ready, "sshd", proc, log)
        yield Sshd(port, getpass.getuser(), str(home / "user_key"), str(known_hosts), home)
    finally:
        _stop(proc)


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "nbvc tests")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tests@nbvc.invalid")
