"""Layering (docs/architecture.md): `core` imports no Jupyter package, its layers import only
downwards, front ends never import each other, and `import nbvc` stays light."""

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
FRONT_ENDS = ("cli", "kernel", "server", "nbexec")
IMPORT_BUDGET_US = 150_000  # docs/architecture.md: `import nbvc` and `%load_ext nbvc` under 150 ms


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
    assert "nbvc.core.artifacts.checkout" in modules  # the walk really imported the engine
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


def imports(path: Path) -> dict[str, bool]:
    """Every module that ``path`` imports (absolute names), and whether importing ``path`` runs
    that import (False: only inside a function, or under ``if TYPE_CHECKING:``)."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    found: dict[str, bool] = {}

    def names(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        base = package.rsplit(".", node.level - 1)[0] if node.level else ""
        module = ".".join(part for part in (base, node.module or "") if part)
        return [module, *(f"{module}.{alias.name}" for alias in node.names)]

    def visit(node: ast.AST, eager: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                for name in names(child):
                    found[name] = found.get(name, False) or eager
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, eager=False)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for statement in child.body:
                    visit(ast.Module(body=[statement], type_ignores=[]), eager=False)
                for statement in child.orelse:
                    visit(ast.Module(body=[statement], type_ignores=[]), eager)
            else:
                visit(child, eager)

    visit(ast.parse(path.read_text(encoding="utf-8")), eager=True)
    return found


def imported_names(path: Path) -> set[str]:
    return set(imports(path))


def sources(subpackage: str) -> list[Path]:
    return sorted((SRC / subpackage).rglob("*.py"))


@pytest.mark.parametrize("path", sources("core"), ids=lambda p: p.name)
def test_core_sources_import_no_jupyter_or_front_end(path: Path) -> None:
    """Core imports no Jupyter package at all, not even lazily (notebook stages run the
    executor, `nbvc.nbexec`, in a subprocess), and no front end."""
    found = imports(path)
    jupyter = {n for n in found if n.split(".")[0] in JUPYTER}
    front_ends = {n for n in found if n.startswith(tuple(f"nbvc.{f}" for f in FRONT_ENDS))}
    assert not jupyter, f"{path.name} imports {sorted(jupyter)}"
    assert not front_ends, f"{path.name} imports {sorted(front_ends)}"


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_ends_never_import_each_other(front_end: str) -> None:
    others = tuple(f"nbvc.{f}" for f in FRONT_ENDS if f != front_end)
    for path in sources(front_end):
        crossing = {n for n in imported_names(path) if n.startswith(others)}
        assert not crossing, f"{path} imports {sorted(crossing)}"


def test_the_static_check_sees_eager_and_lazy_imports() -> None:
    found = imports(SRC / "core" / "repo.py")
    assert found["nbvc.core.storage.index_db.Index"] is True
    assert found["nbvc.core.maintenance.gc.gc"] is False  # inside a method
    assert found["nbvc.core.maintenance.gc.GcResult"] is False  # under TYPE_CHECKING
    assert imports(SRC / "cli" / "commands" / "add.py")["nbvc.core.Repo"] is True


# docs/architecture.md: the engine's layers, lowest first. A module may import from its own layer
# and from layers below it; `repo` is the facade whose methods reach every layer lazily.
LAYERS = (
    ("errors", "progress", "verbs", "engine_options", "front_options", "status_options"),
    ("formats",),
    ("config",),
    ("storage",),
    ("artifacts", "repo"),
    ("runs",),
    ("lineage",),
    ("pipeline",),
    ("metrics",),
    ("models",),
    ("remote",),
    ("maintenance",),
    ("adopt",),
    ("experiments",),
    ("export",),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
FACADE = "repo"


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if parts[:2] == ["nbvc", "core"] and len(parts) > 2 else None


@pytest.mark.parametrize("path", sources("core"), ids=lambda p: str(p.relative_to(SRC / "core")))
def test_core_layers_import_only_downwards(path: Path) -> None:
    module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
    own = layer_of(module)
    if own in (None, "__init__", FACADE):
        return
    assert own in RANK, f"{module}: add its layer to LAYERS and to docs/architecture.md"
    upward = {
        name
        for name in imports(path)
        if (other := layer_of(name)) is not None and RANK.get(other, -1) > RANK[own]
    }
    assert not upward, f"{module} (layer {own}) imports from a higher layer: {sorted(upward)}"


def test_every_core_package_has_a_layer() -> None:
    packages = {p.name for p in (SRC / "core").iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in (SRC / "core").glob("*.py")} - {"__init__"}
    assert packages | modules == set(RANK)
