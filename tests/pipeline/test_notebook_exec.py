"""Parameter injection and cell ids (no kernel needed), and the layering of core."""

from __future__ import annotations

import subprocess
import sys

import nbformat

from nbvc.nbexec import INJECTED_TAG, ensure_cell_ids, inject_parameters


def notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb: nbformat.NotebookNode = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.cells = list(cells)
    return nb


def test_injects_after_the_parameters_cell_and_replaces_an_earlier_injection() -> None:
    nb = notebook(
        nbformat.v4.new_code_cell("import x"),  # type: ignore[no-untyped-call]
        nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["parameters"]}),  # type: ignore[no-untyped-call]
        nbformat.v4.new_code_cell("print(a)"),  # type: ignore[no-untyped-call]
    )
    inject_parameters(nb, {"a": 2, "name": "it's", "sizes": [1, 2], "opts": {"k": None}})
    inject_parameters(nb, {"a": 3, "name": "it's", "sizes": [1, 2], "opts": {"k": None}})
    assert nb.cells[0].source == "import x"
    injected = nb.cells[2]
    assert injected.metadata["tags"] == [INJECTED_TAG] and injected["id"] == INJECTED_TAG
    namespace: dict[str, object] = {}
    exec(injected.source, namespace)
    assert namespace["a"] == 3 and namespace["name"] == "it's"
    assert namespace["sizes"] == [1, 2] and namespace["opts"] == {"k": None}
    assert len(nb.cells) == 4


def test_without_a_parameters_cell_the_injection_goes_first() -> None:
    nb = notebook(nbformat.v4.new_code_cell("print(a)"))  # type: ignore[no-untyped-call]
    inject_parameters(nb, {"a": 1})
    assert nb.cells[0].source == "# Parameters\na = 1\n"
    inject_parameters(nb, {})
    assert [c.source for c in nb.cells] == ["print(a)"]


def test_old_notebooks_get_cell_ids() -> None:
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.nbformat_minor = 4
    nb.cells = [nbformat.v4.new_code_cell("1"), nbformat.v4.new_markdown_cell("x")]  # type: ignore[no-untyped-call]
    for cell in nb.cells:
        del cell["id"]
    ensure_cell_ids(nb)
    assert nb.nbformat_minor == 5
    ids = [c["id"] for c in nb.cells]
    assert all(ids) and len(set(ids)) == 2
    nbformat.validate(nb)


def test_core_pipelines_and_runs_import_no_jupyter_module() -> None:
    code = (
        "import sys, nbvc, nbvc.core.pipeline.repro, nbvc.nbexec, "
        "nbvc.core.metrics.compare, nbvc.core.metrics.plot_data, nbvc.core.runs.logging, "
        "nbvc.cli.main\n"
        "nbvc.log_metric\n"
        "heavy = {'IPython', 'ipykernel', 'jupyter_server', 'tornado', 'traitlets', "
        "'ipywidgets', 'nbclient', 'nbformat', 'jupyter_client', 'zmq'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
