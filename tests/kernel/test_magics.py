"""The version and lineage magics: arguments, results in three renderings, short errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nbvc.core.storage.hashing import hash_bytes
from nbvc.kernel.display import Preformatted, Rich
from tests.kernel.kit import Kernel


def test_version_add_records_producer_message_and_tags(kernel: Kernel) -> None:
    kernel.value("Path('data.csv').write_text('a\\n1\\n')", "make")
    added = kernel.value("%version_add data.csv -m 'first cut' --tag raw -t v-one", "add")
    assert isinstance(added, Rich)
    (version,) = kernel.value("%version_log data.csv").tables[0].rows
    make = kernel.cell("make")
    with kernel.repo() as repo:
        v1 = repo.history.latest("data.csv")
    assert v1 is not None and v1.message == "first cut" and v1.tags == ("raw", "v-one")
    assert v1.producer == f"cell:{make.id}"
    html, text, markdown = added._repr_html_(), repr(added), added._repr_markdown_()
    assert "<table" in html and "data.csv" in html and "new version" in html
    assert "data.csv  v1" in text and f"cell [{make.execution_count}]" in text
    assert "cell:" not in text  # the cell as people find it, not the record's id
    assert markdown.startswith("**nbvc add**") and "| data.csv | v1 |" in markdown
    assert "v1" in version[0].text
    assert version[-1] == f"a kernel, cell [{make.execution_count}]"
    shown = kernel.value("%version_log data.csv")._repr_html_()
    # sizes and counts are right-aligned, as in the CLI; text columns are not
    assert "<th data-num>size</th>" in shown and "<th data-num>files</th>" in shown
    assert "<td data-num>1</td>" in shown and "<th>message</th>" in shown


def test_version_add_in_the_cell_that_wrote_the_file(kernel: Kernel) -> None:
    kernel.value("Path('m.bin').write_text('w')\n%version_add m.bin", "write-and-add")
    with kernel.repo() as repo:
        version = repo.history.latest("m.bin")
    assert version is not None and version.producer == f"cell:{kernel.cell('write-and-add').id}"


def test_no_producer_when_the_file_changed_after_the_cell_wrote_it(kernel: Kernel) -> None:
    kernel.value("Path('m.bin').write_text('w')")
    Path("m.bin").write_text("edited by hand")
    kernel.value("%version_add m.bin")
    with kernel.repo() as repo:
        version = repo.history.latest("m.bin")
    assert version is not None and version.producer is None


def test_version_add_again_is_unchanged(kernel: Kernel) -> None:
    Path("a.txt").write_text("a")
    kernel.value("%version_add a.txt")
    again = kernel.value("%version_add a.txt")
    assert "unchanged" in repr(again)


def test_version_add_errors(kernel: Kernel, capsys: pytest.CaptureFixture[str]) -> None:
    assert "arguments are required: PATH" in kernel.usage_error("%version_add", capsys)
    assert kernel.usage_error("%version_add nothere.csv", capsys).startswith(
        "nothere.csv does not exist"
    )
    assert "outside the nbvc repo" in kernel.usage_error("%version_add ../x", capsys)
    assert "unrecognized arguments: --bogus" in kernel.usage_error("%version_add a --bogus", capsys)


def test_magic_help_lists_the_options(kernel: Kernel) -> None:
    doc = kernel.shell.find_line_magic("version_add").__doc__  # type: ignore[no-untyped-call]
    assert "--message" in doc and "--tag" in doc and "which cell produced it" in doc


def test_version_status(kernel: Kernel, capsys: pytest.CaptureFixture[str]) -> None:
    empty = kernel.value("%version_status")
    assert "No tracked artifacts" in repr(empty)
    Path("a.txt").write_text("a")
    Path("b.txt").write_text("b")
    kernel.value("%version_add a.txt b.txt")
    Path("a.txt").write_text("changed")
    status = kernel.value("%version_status")
    assert ["a.txt", "v1", "modified"] in [line.split() for line in repr(status).splitlines()]
    assert ["b.txt", "v1", "unchanged"] in [line.split() for line in repr(status).splitlines()]
    assert 'class="nbvc-warn">modified' in status._repr_html_()
    only_b = kernel.value("%version_status b.txt")
    assert "a.txt" not in repr(only_b)
    assert "is not tracked" in kernel.usage_error("%version_status c.txt", capsys)


def test_version_log_and_checkout(kernel: Kernel, capsys: pytest.CaptureFixture[str]) -> None:
    Path("m.txt").write_text("one")
    kernel.value("%version_add m.txt -m one")
    Path("m.txt").write_text("two")
    kernel.value("%version_add m.txt -m two")
    log = kernel.value("%version_log m.txt")
    assert [row[0].text for row in log.tables[0].rows] == ["v2", "v1"]
    assert "sortable" not in repr(log) and "data-sortable" in log._repr_html_()
    restored = kernel.value("%version_checkout m.txt@v1")
    assert Path("m.txt").read_text() == "one" and "restored v1" in repr(restored)
    assert "already at v1" in repr(kernel.value("%version_checkout m.txt@v1"))
    Path("m.txt").write_text("unsaved")
    message = kernel.usage_error("%version_checkout m.txt@v2", capsys)
    assert "not saved in nbvc" in message and "--force" in message
    kernel.value("%version_checkout m.txt@v2 --force")
    assert Path("m.txt").read_text() == "two"
    assert "no version v9" in kernel.usage_error("%version_checkout m.txt@v9", capsys)
    assert "is not tracked" in kernel.usage_error("%version_log nope.txt", capsys)


def test_checkout_in_a_magic_is_not_the_cells_write(kernel: Kernel) -> None:
    Path("m.txt").write_text("one")
    kernel.value("%version_add m.txt")
    Path("m.txt").write_text("two")
    kernel.value("%version_add m.txt")
    kernel.value("%version_checkout m.txt@v1", "checkout")
    assert kernel.cell("checkout").writes == ()


def test_lineage_forms(kernel: Kernel, capsys: pytest.CaptureFixture[str]) -> None:
    kernel.value("Path('raw.txt').write_text('3')", "make-raw")
    kernel.value("%version_add raw.txt")
    kernel.value("n = int(Path('raw.txt').read_text())", "read")
    kernel.value("Path('out.txt').write_text(str(n * 2))", "write")
    kernel.value("%version_add out.txt")
    tree = kernel.value("%lineage out.txt")
    assert isinstance(tree, Preformatted)
    assert [re.sub(r" \[\d+\]", "", line) for line in repr(tree).splitlines()[2:]] == [
        f"out.txt@v1 ({hash_bytes(b'6')[:8]})",
        "└── kernel cell write",
        "    └── kernel cell read (via n)",
        f"        └── raw.txt@v1 ({hash_bytes(b'3')[:8]})",
        "            └── kernel cell make-raw",
    ]
    assert "```mermaid" in tree._repr_markdown_() and "<pre>" in tree._repr_html_()
    doc = json.loads(kernel.value("%lineage out.txt --json").body)
    assert doc["producers"][0]["cell_id"] == "write"
    assert kernel.value("%lineage out.txt --dot").body.startswith("digraph lineage {")
    assert kernel.value("%lineage out.txt@v1 --mermaid").body.startswith("flowchart LR")
    script = kernel.value("%lineage out.txt --script")
    assert script.language == "python" and "n = int(Path('raw.txt').read_text())" in script.body
    assert "is not tracked" in kernel.usage_error("%lineage nope.txt", capsys)


def test_not_in_a_repo(
    kernel: Kernel, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    import os

    os.chdir(tmp_path_factory.mktemp("plain"))
    message = kernel.usage_error("%version_status", capsys)
    assert "not inside an nbvc repo" in message and "nbvc init" in message


def test_version_add_table_names_every_column(kernel: Kernel) -> None:
    kernel.value("Path('a.txt').write_text('a')")
    added = kernel.value("%version_add a.txt")
    assert isinstance(added, Rich)
    (table,) = added.tables
    assert all(column.strip() for column in table.columns), table.columns
    assert "| change |" in added._repr_markdown_()


def test_nbvc_help_lists_every_magic(kernel: Kernel) -> None:
    from nbvc.kernel import extension

    current = extension.current()
    assert current is not None
    registered = {name for m in current._magics for name in m.magics["line"]} - {"nbvc"}
    for line in ("%nbvc --help", "%nbvc"):
        listing = kernel.value(line)
        assert isinstance(listing, Rich)
        listed = {row[0] for row in listing.tables[0].rows}
        assert listed == {f"%{name}" for name in registered}
        summaries = [row[2] for row in listing.tables[0].rows]
        assert all(s and s != "::" for s in summaries), summaries  # each with what it does
    assert "%version_add" in repr(listing) and "%repro" in repr(listing)
    text = repr(listing)
    assert "Snapshot files or folders into the nbvc cache" in text  # not IPython's "::" block


def test_every_cli_verb_has_its_magic(kernel: Kernel) -> None:
    from nbvc.core import VERBS
    from nbvc.kernel import extension

    current = extension.current()
    assert current is not None
    registered = {name for m in current._magics for name in m.magics["line"]}
    assert {verb.magic for verb in VERBS.values()} <= registered
    assert len(VERBS) >= 26


def test_generated_magics_take_the_cli_options_and_fail_in_one_line(
    kernel: Kernel, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("a.txt").write_text("one")
    kernel.value("%version_add a.txt")
    Path("a.txt").write_text("two")
    kernel.value("%version_add a.txt")
    tagged = kernel.value("%version_tag a.txt@v1 prod")
    assert isinstance(tagged, Preformatted) and tagged.body == "a.txt: tag prod -> v1"
    moved = kernel.value("%version_tag a.txt@v2 prod").body
    assert moved == "a.txt: tag prod moved from v1 to v2"
    assert "modified  a.txt" in kernel.value("%version_diff a.txt@v1 a.txt@v2").body
    dry = kernel.value("%version_gc --dry-run --json").body
    assert json.loads(dry)["dry_run"] is True
    helped = kernel.value("%version_gc --help").body
    assert "--keep-last N" in helped and "--rechunk" in helped  # the CLI's own options
    assert kernel.value("%nbvc fsck").body.endswith("all intact")
    hint = "see `%version_gc --help`"  # the magic's help, not the CLI's
    assert kernel.usage_error("%version_gc --frobnicate", capsys) == (
        f"unknown option --frobnicate for nbvc gc (did you mean --remote?); {hint}"
    )
    assert "not tracked" in kernel.usage_error("%version_diff nothere", capsys)
    assert "takes no 'frob'" in kernel.usage_error("%nbvc frob", capsys)
    # a hand-written magic is what `%nbvc VERB` runs when there is one (it records lineage)
    assert "nbvc add" in repr(kernel.value("%nbvc add a.txt"))
