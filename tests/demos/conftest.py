"""Executing the demo notebooks of ``demos/`` as JupyterLab would, once per test module."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from nbvc.nbexec import execute_notebook
from tests.kernel.kit import python_on_path

DEMOS = Path(__file__).resolve().parents[2] / "demos"
NOTEBOOKS = sorted(p.name for p in DEMOS.glob("*.ipynb"))
# Any download attempt fails: urllib (scikit-learn's fetch_* functions, pip) honours these.
NO_NETWORK = {
    name: "http://127.0.0.1:9"
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy")
}


@dataclass(frozen=True)
class Executed:
    """A demo notebook executed in a folder of its own."""

    nb: Any  # the executed notebook
    folder: Path  # where the copy of the notebook ran
    printed: str  # what nbexec streamed while it ran (cell outputs as text)

    @property
    def workspace(self) -> Path:
        """The fresh workspace the notebook made for itself under ``workspaces/``."""
        (workspace,) = (self.folder / "workspaces").iterdir()
        return workspace

    def cell(self, cell_id: str) -> Any:
        (cell,) = [c for c in self.nb.cells if c.get("id") == cell_id]
        return cell

    def text(self, cell_id: str) -> str:
        """Everything a cell showed, as plain text (streams and results)."""
        parts = []
        for output in self.cell(cell_id).outputs:
            if output["output_type"] == "stream":
                parts.append(output["text"])
            elif "data" in output:
                parts.append(output["data"].get("text/plain", ""))
        return "".join(parts)

    def data(self, cell_id: str) -> dict[str, Any]:
        """The mime bundle of a cell's one rich result."""
        (bundle,) = [dict(o["data"]) for o in self.cell(cell_id).outputs if "data" in o]
        return bundle


def execute_demo(name: str, folder: Path, ipython_dir: Path) -> Executed:
    folder.mkdir(parents=True)
    copy = folder / name
    shutil.copyfile(DEMOS / name, copy)
    printed: list[str] = []
    env = {
        "PATH": python_on_path(),  # `!nbvc` and the stages' `python` are this venv's
        "IPYTHONDIR": str(ipython_dir),  # no profile of the machine's user
        "NBVC_RUN_ID": "",
        "NBVC_ROOT": "",
        "NO_PROXY": "",
        "no_proxy": "",
        **NO_NETWORK,
    }
    nb = execute_notebook(
        str(copy), env=env, timeout=120, sink=lambda _stream, text: printed.append(text)
    )
    return Executed(nb, folder, "".join(printed))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Executed]:
    """``demo(name)``: the demo notebook executed (once per module) in a temporary folder."""
    done: dict[str, Executed] = {}
    ipython_dir = tmp_path_factory.mktemp("ipython")

    def executed(name: str) -> Executed:
        if name not in done:
            folder = tmp_path_factory.mktemp("demo") / name.removesuffix(".ipynb")
            done[name] = execute_demo(name, folder, ipython_dir)
        return done[name]

    return executed
