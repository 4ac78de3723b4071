"""Loading and unloading the extension; what importing nbvc costs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell

from nbvc.kernel import extension
from nbvc.kernel.display import Cell, Preformatted, Rich, Table

MAGICS = (
    "version_add",
    "version_status",
    "version_log",
    "version_checkout",
    "lineage",
    "repro",
    "runs",
    "metrics_diff",
    "params_diff",
    "version_push",
    "version_pull",
)


def magic(shell: InteractiveShell, name: str) -> object:
    return shell.find_line_magic(name)  # type: ignore[no-untyped-call]


def test_load_ext_registers_magics_and_events_and_unload_removes_them(
    ipython: InteractiveShell, repo_dir: Path
) -> None:
    before = {e: len(ipython.events.callbacks[e]) for e in ("pre_run_cell", "post_run_cell")}
    ipython.run_line_magic("load_ext", "nbvc")
    try:
        assert all(magic(ipython, name) for name in MAGICS)
        current = extension.current()
        assert current is not None
        assert current.tracer.pre_run_cell in ipython.events.callbacks["pre_run_cell"]
        ipython.run_line_magic("reload_ext", "nbvc")
        reloaded = extension.current()
        assert reloaded is not None and reloaded is not current
        assert current.tracer.pre_run_cell not in ipython.events.callbacks["pre_run_cell"]
    finally:
        ipython.run_line_magic("unload_ext", "nbvc")
    assert extension.current() is None
    assert not any(magic(ipython, name) for name in MAGICS)
    after = {e: len(ipython.events.callbacks[e]) for e in ("pre_run_cell", "post_run_cell")}
    assert after == before


def test_importing_nbvc_imports_no_jupyter_package() -> None:
    code = (
        "import sys, nbvc, nbvc.cli.main, nbvc.cli.commands.lineage\n"
        "from nbvc.core.lineage import files, graph, lineage_index, render, script, session\n"
        "from nbvc.core.lineage import stages\n"
        "nbvc.load_ipython_extension\n"
        "bad = [m for m in ('IPython', 'ipykernel', 'ipywidgets', 'nbclient', 'traitlets',"
        " 'jupyter_server', 'tornado') if m in sys.modules]\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_table_renderings_escape_and_sort() -> None:
    table = Table(
        ["name", "value"],
        [["<b>a|b</b>", Cell("1", "good", sort="1", note="(+1)", note_tone="bad")], ["c", "2"]],
        sortable=True,
    )
    html = table.html()
    assert "&lt;b&gt;a|b&lt;/b&gt;" in html and "<script>" in html
    number = '<td class="nbvc-good" data-num data-sort="1">1 <small class="nbvc-bad">(+1)</small>'
    assert number + "</td>" in html  # a column of numbers: right-aligned
    assert "| &lt;b&gt;" not in table.markdown() and "| <b>a\\|b</b> | 1 (+1) |" in table.markdown()
    assert table.text().splitlines() == ["name        value", "<b>a|b</b>  1 (+1)", "c           2"]
    assert "<script>" not in Table(["x"], [["1"]], sortable=True).html()


def test_rich_and_preformatted_renderings() -> None:
    rich = Rich("title", [Table(["a"], [["1"]])], ["a note"])
    assert rich._repr_markdown_() == "**title**\n\n| a |\n|---|\n| 1 |\n\n_a note_"
    assert repr(rich) == "title\n\na\n1\n\na note"
    assert '<div class="nbvc-dim">a note</div>' in rich._repr_html_()
    block = Preformatted("", "x = '```'", "python")
    assert block._repr_markdown_() == "````python\nx = '```'\n````"
    assert repr(block) == "x = '```'" and "&#x27;" in block._repr_html_()
