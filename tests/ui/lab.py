"""A real ``jupyter lab`` on loopback for the browser tests, and Playwright's Chromium.

JupyterLab runs as a subprocess with its own config, runtime, data and IPython folders, a token,
the news toast off (it would cover the panel in screenshots) and the app exposed as
``window.jupyterapp`` (for theme switching in screenshots). Chromium is Debian's (never
``playwright install``, which downloads browsers), driven by Playwright's sync API; these tests
run in a pytest process of their own, apart from the pytest-jupyter ones.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

CHROMIUM = os.environ.get("NBVC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_SECONDS = 60
# The extension as built in this source tree (`npm run build:prod`): served instead of the copy
# installed into the environment, so the tests always exercise the current TypeScript.
BUILT = Path(__file__).resolve().parents[2] / "src" / "nbvc" / "labextension"


@dataclass(frozen=True)
class Lab:
    root: Path
    url: str
    token: str
    log: Path

    def lab_url(self, path: str = "lab") -> str:
        return f"{self.url}/{path}?token={self.token}"

    def api(self, method: str, endpoint: str, **kwargs: object) -> requests.Response:
        return requests.request(
            method,
            f"{self.url}/nbvc/api/{endpoint}",
            headers={"Authorization": f"token {self.token}"},
            timeout=60,
            **kwargs,  # type: ignore[arg-type]
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def lab_environment(home: Path) -> dict[str, str]:
    """Jupyter's and IPython's folders under ``home``, the news toast off."""
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "IPYTHONDIR": str(home / "ipython"),
        "NBVC_AUTHOR": "Panel Test",
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
    }
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE"):
        env.pop(name, None)
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return env


@contextlib.contextmanager
def running_lab(root: Path, home: Path) -> Iterator[Lab]:
    """``jupyter lab`` serving ``root``; stopped (by its pid) on exit."""
    env = lab_environment(home)
    extensions = home / "labextensions"
    extensions.mkdir(exist_ok=True)
    if (BUILT / "package.json").exists() and not (extensions / "nbvc").exists():
        (extensions / "nbvc").symlink_to(BUILT)
    port, token = free_port(), secrets.token_hex(16)
    log = home / "lab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
        "--ServerApp.terminals_enabled=False",
        f"--LabApp.extra_labextensions_path={extensions}",
    ]
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    lab = Lab(root, f"http://127.0.0.1:{port}", token, log)
    try:
        _wait_ready(lab, process)
        yield lab
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(lab: Lab, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited:\n{lab.log.read_text()[-4000:]}")
        with contextlib.suppress(requests.ConnectionError):
            answer = requests.get(
                f"{lab.url}/api/status",
                headers={"Authorization": f"token {lab.token}"},
                timeout=5,
            )
            if answer.status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"jupyter lab did not start:\n{lab.log.read_text()[-4000:]}")
