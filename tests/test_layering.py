"""Layering (DESIGN.md): `core` imports no Jupyter package, front ends never import each other,
and `import nbvc` stays light."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import nbvc

SRC = Path(nbvc.__file__).parent
JUPYTER = (
    "IPython",
    "ipykernel",
    "ipywidgets",
    "jupyter_client",
    "jupyter_core",
    "jupyter_server",
    "jupyterlab",
    "nbclient",
    "nbformat",
    "notebook",
    "tornado",
    "traitlets",
    "zmq",
)
FRONT_ENDS = ("cli", "kernel", "server")
IMPORT_BUDGET_US = 150_000  # DESIGN.md: `import nbvc` and `%load_ext nbvc` under 150 ms


def python(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, check=True
    )


def loaded_modules(code: str) -> set[str]:
    done = python(f"{code}\nimport sys\nprint('\\n'.join(sys.modules))")
    return set(done.stdout.split())


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_importing_the_whole_engine_loads_no_jupyter_module() -> None:
    modules = loaded_modules(
        "import importlib, pkgutil, nbvc, nbvc.core\n"
        "for info in pkgutil.walk_packages(nbvc.core.__path__, 'nbvc.core.'):\n"
        "    importlib.import_module(info.name)\n"
        "repo = nbvc.Repo"
    )
    assert "nbvc.core.checkout" in modules  # the walk really imported the engine
    assert not top_level(modules) & set(JUPYTER)
    assert not {m for m in modules if m.startswith(("nbvc.cli", "nbvc.kernel", "nbvc.server"))}


def test_import_nbvc_loads_no_engine_or_heavy_module() -> None:
    modules = loaded_modules("import nbvc")
    assert {m for m in modules if m.startswith("nbvc")} == {"nbvc"}
    assert not top_level(modules) & {"blake3", "sqlite3", "yaml", "tqdm", "fsspec", "json"}


def test_import_nbvc_is_fast() -> None:
    report = python("import nbvc", "-X", "importtime").stderr
    match = re.search(r"^import time:\s+\d+ \|\s+(\d+) \| nbvc$", report, re.MULTILINE)
    assert match, report
    assert int(match.group(1)) < IMPORT_BUDGET_US


def test_lazy_attributes() -> None:
    from nbvc.core.errors import NbvcError
    from nbvc.core.repo import Repo

    assert nbvc.Repo is Repo
    assert nbvc.NbvcError is NbvcError
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = nbvc.nope


def imported_names(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` in ``path`` names (absolute form)."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def sources(subpackage: str) -> list[Path]:
    return sorted((SRC / subpackage).rglob("*.py"))


@pytest.mark.parametrize("path", sources("core"), ids=lambda p: p.name)
def test_core_sources_import_no_jupyter_or_front_end(path: Path) -> None:
    forbidden = {
        name
        for name in imported_names(path)
        if name.split(".")[0] in JUPYTER or name.startswith(tuple(f"nbvc.{f}" for f in FRONT_ENDS))
    }
    assert not forbidden, f"{path.name} imports {sorted(forbidden)}"


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_ends_never_import_each_other(front_end: str) -> None:
    others = tuple(f"nbvc.{f}" for f in FRONT_ENDS if f != front_end)
    for path in sources(front_end):
        crossing = {n for n in imported_names(path) if n.startswith(others)}
        assert not crossing, f"{path} imports {sorted(crossing)}"


def test_the_static_check_can_see_imports(tmp_path: Path) -> None:
    assert "nbvc.core.repo.Repo" in imported_names(SRC / "cli" / "commands" / "add.py")
    assert "nbvc.core.errors.PathError" in imported_names(SRC / "core" / "paths.py")
