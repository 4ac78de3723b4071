"""A real `jupyter server` subprocess on a free loopback port, with nbvc enabled."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

TOKEN = "nbvc-live-test-token"
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class LiveServer:
    url: str  # base URL, ending in /
    root: Path
    token: str

    def api(self, endpoint: str) -> str:
        return f"{self.url}nbvc/api/{endpoint}"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(
    work: Path, token: str = TOKEN, extra_args: Sequence[str] = ()
) -> Iterator[LiveServer]:
    """A running server; ``token=""`` starts it without authentication."""
    root, config, runtime = work / "root", work / "config", work / "runtime"
    for folder in (root, config, runtime):
        folder.mkdir(parents=True, exist_ok=True)
    settings = {
        "ServerApp": {
            "jpserver_extensions": {"nbvc": True},
            "allow_unauthenticated_access": False,
        }
    }
    (config / "jupyter_server_config.json").write_text(json.dumps(settings))
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "IPYTHONDIR": str(work / "ipython"),
        "NBVC_AUTHOR": "Live Test",
    }
    command = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        *extra_args,
    ]
    log = (work / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}/", root, token)
    try:
        _wait_until_up(server, process, work / "server.log")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(server: LiveServer, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter server exited:\n{log.read_text()}")
        try:
            answer = requests.get(server.url + "api/status", headers=server.auth, timeout=2)
            if answer.status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"jupyter server did not start in {STARTUP_SECONDS} s:\n{log.read_text()}")
