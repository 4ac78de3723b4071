"""The seams Jupyter uses to find nbvc, and that `import nbvc` stays free of Jupyter."""

from __future__ import annotations

import subprocess
import sys

import nbvc


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(run.stdout.split())


def test_import_nbvc_loads_no_jupyter_module() -> None:
    loaded = _modules_after("import nbvc")
    heavy = {m for m in loaded if m.split(".")[0] in {"jupyter_server", "tornado", "traitlets"}}
    assert not heavy
    assert "nbvc.server" not in loaded


def test_the_server_imports_neither_the_cli_nor_the_kernel_side() -> None:
    loaded = _modules_after("import nbvc.server.app")
    assert not {m for m in loaded if m.startswith(("nbvc.cli", "nbvc.kernel"))}


def test_labextension_paths() -> None:
    assert nbvc._jupyter_labextension_paths() == [{"src": "labextension", "dest": "nbvc"}]


def test_server_extension_points() -> None:
    (point,) = nbvc._jupyter_server_extension_points()
    assert point["module"] == "nbvc.server.app"
    assert point["app"].name == "nbvc"
