"""Turning IPython cells into Python, and the names a cell binds and uses."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from nbvc.core.lineage.slicing import imported, names, to_python


def test_plain_python_is_unchanged() -> None:
    source = "x = 1\n# 50% done?\ny = '%notamagic'\n"
    assert to_python(source) == source


@pytest.mark.parametrize(
    ("cell", "python"),
    [
        ("%load_ext nbvc\nx = 1", "pass  # [IPython] %load_ext nbvc\nx = 1"),
        ("!pip install x\nx = 1", "pass  # [IPython] !pip install x\nx = 1"),
        ("files = !ls\nx = 1", "pass  # [IPython] files = !ls\nx = 1"),
        ("for i in range(2):\n    %time f(i)", "for i in range(2):\n    f(i)"),
        ("%timeit -n1 f()\nx = 1", "pass  # [IPython] %timeit -n1 f()\nx = 1"),
        ("len?\nx = 1", "pass  # [IPython] len?\nx = 1"),
        ("%%time\nx = 1\n%version_add a", "x = 1\npass  # [IPython] %version_add a"),
    ],
)
def test_ipython_syntax_becomes_python(cell: str, python: str) -> None:
    assert to_python(cell) == python
    ast.parse(to_python(cell))


def test_writefile_becomes_a_python_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("my file.txt").write_text("line 0\n")
    exec(to_python("%%writefile -a 'my file.txt'\nline 1\nline 2"), {})
    assert Path("my file.txt").read_text() == "line 0\nline 1\nline 2\n"
    exec(to_python("%%writefile other.txt\nx"), {})
    assert Path("other.txt").read_text() == "x\n"


def test_other_cell_magics_are_commented_out() -> None:
    code = to_python("%%bash\necho hi > x.txt")
    assert code.splitlines() == [
        "# [IPython] %%bash",
        "# [IPython] echo hi > x.txt",
        "pass  # [IPython] cell magic %%bash is not run by this script",
    ]


def test_names_bound_mutated_and_used() -> None:
    found = names(
        "import numpy as np\nfrom os import path\n"
        "x = np.mean(data)\ny += 1\ndf['a'] = 1\nmodel.fit(x)\nobj.attr = 2\ndel z\n"
        "def f(a):\n    b = a + w\n    return b\n"
        "class C: pass\n[q for q in range(3)]\n",
        modules=frozenset({"np"}),
    )
    assert found.defined == {"np", "path", "x", "y", "df", "model", "obj", "z", "f", "C"}
    assert {"np", "data", "y", "df", "model", "x", "obj", "w", "range"} <= found.used
    assert "b" not in found.defined and "q" not in found.defined and not found.opaque


def test_method_calls_on_modules_are_not_mutations() -> None:
    assert "np" not in names("np.save('a', x)", frozenset({"np"})).defined
    assert "np" in names("np.save('a', x)").defined


def test_opaque_cells() -> None:
    assert names("from os import *").opaque
    assert names("exec('x = 1')").opaque
    assert names("globals()['x'] = 1").opaque
    assert names("def broken(:").opaque


def test_global_statements_bind_module_names() -> None:
    assert "counter" in names("def f():\n    global counter\n    counter = 1").defined


def test_imported() -> None:
    assert imported("import os.path, numpy as np\nfrom a import b as c\nx = 1") == {
        "os",
        "np",
        "c",
    }
    assert imported("def broken(:") == frozenset()
