"""Fixtures starting real storage servers on loopback (see servers.py), by the tests themselves.

``sshd`` is skipped, with the reason, only where /usr/sbin/sshd is not installed (`.ci/run`
installs openssh-server).
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator

import pytest

from tests.remote.servers import AWS_ENV, SSHD, Sshd, free_port, stop, wait_for


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
            wait_for(ready, "moto_server", proc, log)
            yield endpoint
        finally:
            stop(proc)


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
        wait_for(ready, "sshd", proc, log)
        yield Sshd(port, getpass.getuser(), str(home / "user_key"), str(known_hosts), home)
    finally:
        stop(proc)
