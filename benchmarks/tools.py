"""The tools under test, as the commands a user types. Each runs as its own executable.

DVC lives in a venv of its own so that it never becomes a dependency of nbvc.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from abc import ABC, abstractmethod
from pathlib import Path

DVC_REQUIREMENT = "dvc==3.67.1"

# Compile a package's modules to bytecode, as `pip install` does for a regular install. An
# editable install (nbvc in development) has none, and with PYTHONDONTWRITEBYTECODE set it would
# compile every module on every start: a cost no user pays.
_PRECOMPILE = """
import compileall, importlib.util, os, sys
spec = importlib.util.find_spec(sys.argv[1])
sys.exit(not compileall.compile_dir(os.path.dirname(spec.origin), quiet=1))
"""


class Tool(ABC):
    """How one version-control tool spells each operation the scenarios time."""

    name: str
    label: str

    def __init__(self, exe: Path) -> None:
        self.exe = exe

    def precompile(self) -> list[str]:
        """A command that byte-compiles the tool's package with the tool's own interpreter."""
        beside = self.exe.parent / "python"
        python = beside if beside.exists() else Path(sys.executable)
        return [str(python), "-c", _PRECOMPILE, self.name]

    @abstractmethod
    def init(self, settings_dir: Path) -> list[list[str]]:
        """Commands that turn an empty folder into a repo of this tool (run inside it)."""

    def add(self, target: str) -> list[str]:
        return [str(self.exe), "add", target]

    def status(self) -> list[str]:
        return [str(self.exe), "status"]

    @abstractmethod
    def checkout(self, target: str) -> list[str]:
        """Restore ``target`` from the cache into the workspace."""

    def version(self) -> str:
        out = subprocess.run(
            [str(self.exe), "--version"], capture_output=True, text=True, check=True
        ).stdout
        return out.strip().split()[-1]


class Nbvc(Tool):
    name = "nbvc"
    label = "nbvc"

    def init(self, settings_dir: Path) -> list[list[str]]:
        return [["git", "init", "-q"], [str(self.exe), "init"]]

    def checkout(self, target: str) -> list[str]:
        return [str(self.exe), "checkout", target]


class Dvc(Tool):
    name = "dvc"
    label = "DVC"

    def init(self, settings_dir: Path) -> list[list[str]]:
        config = [str(self.exe), "config"]
        return [
            ["git", "init", "-q"],
            [str(self.exe), "init", "-q"],
            [*config, "core.analytics", "false"],
            [*config, "core.check_update", "false"],
            # DVC's per-repo state otherwise accumulates under /var/tmp/dvc.
            [*config, "core.site_cache_dir", str(settings_dir / "dvc-site-cache")],
        ]

    def checkout(self, target: str) -> list[str]:
        return [str(self.exe), "checkout"]


def nbvc_executable() -> Path:
    """The ``nbvc`` of the venv running the benchmark (falls back to PATH)."""
    beside = Path(sys.executable).parent / "nbvc"
    if beside.exists():
        return beside
    found = shutil.which("nbvc")
    if found is None:
        raise SystemExit("no `nbvc` executable: run `pip install -e .` in this venv first")
    return Path(found)


def dvc_executable(venv: Path) -> Path:
    """DVC from ``venv``, creating the venv and installing DVC into it if it has none."""
    exe = venv / "bin" / "dvc"
    if exe.exists():
        return exe
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating a venv for DVC at {venv}", file=sys.stderr)
        subprocess.run([_system_python(), "-m", "venv", str(venv)], check=True)
    print(f"installing {DVC_REQUIREMENT} into {venv} (once)", file=sys.stderr)
    pip = [str(python), "-m", "pip", "install", "-q"]
    if subprocess.run([*pip, DVC_REQUIREMENT], check=False).returncode != 0:
        print(f"{DVC_REQUIREMENT} unavailable; installing the latest dvc", file=sys.stderr)
        subprocess.run([*pip, "dvc"], check=True)
    return exe


def _system_python() -> str:
    return shutil.which("python3") or sys.executable


TOOL_NAMES = ("nbvc", "dvc")


def make_tools(names: list[str], dvc_venv: Path) -> list[Tool]:
    """The tools named (from :data:`TOOL_NAMES`), in the order given."""
    return [
        Nbvc(nbvc_executable()) if n == "nbvc" else Dvc(dvc_executable(dvc_venv)) for n in names
    ]
