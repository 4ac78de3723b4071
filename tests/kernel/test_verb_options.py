"""Every magic takes the options of its CLI verb: each flag and positional word of `nbvc VERB`
(and of its subcommands) is tried on the verb's magic; and a real notebook uses some of them in
a real kernel (nbclient)."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shlex
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import nbformat
import pytest
from IPython.core.error import UsageError

from nbvc.cli.main import build_parser
from nbvc.core import VERBS
from nbvc.core.repo import Repo
from nbvc.kernel.help_magics import TOPIC_MAGIC_CLASSES
from nbvc.kernel.verb_line import route
from nbvc.kernel.verb_magics import VerbMagics
from nbvc.nbexec import execute_notebook
from tests.kernel.kit import python_on_path

SAMPLE = "2"  # a value every option takes: a number, a path, a name
Case = tuple[argparse.Action | None, list[str]]


def verb_parser(verb: str) -> argparse.ArgumentParser:
    top, _ = build_parser([verb])
    return subparsers(top)[verb]


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _required(action: argparse.Action) -> bool:
    """A positional that must be given (a subcommand is no word of this parser's)."""
    return (
        not action.option_strings
        and action.nargs not in ("*", "?")
        and not isinstance(action, argparse._SubParsersAction)
    )


def _values(action: argparse.Action) -> list[list[str]]:
    """The words that can follow a flag: none, a value, or either."""
    if action.nargs == 0:
        return [[]]
    value = str(next(iter(action.choices))) if action.choices else SAMPLE
    return [[], [value]] if action.nargs == "?" else [[value]]


def cases(parser: argparse.ArgumentParser, before: Sequence[str] = ()) -> Iterator[Case]:
    """A line for each option of ``parser`` and of its subcommands (``before``: the words that
    chose it), each with the positional words it requires (and a subcommand, if one must
    follow)."""
    plain = [a for a in parser._actions if not isinstance(a, argparse._SubParsersAction)]
    base = [*before, *(SAMPLE for a in plain if _required(a))]
    children = subparsers(parser)
    tail: list[str] = []
    chooser = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    if chooser is not None and chooser.required:
        name, child = next(iter(children.items()))
        tail = [name, *(SAMPLE for a in child._actions if _required(a))]
    yield None, [*base, *tail]
    for action in plain:
        if isinstance(action, argparse._HelpAction) or _required(action):
            continue
        if action.option_strings:
            for flag in action.option_strings:
                for words in _values(action):
                    yield action, [*base, flag, *words, *tail]
        else:
            yield action, [*base, SAMPLE, *tail]
    for name, child in children.items():
        yield from cases(child, [*base, name])


def cli_accepts(verb: str, words: Sequence[str]) -> bool:
    parser, _ = build_parser([verb, *words])
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            parser.parse_args([verb, *words])
    except SystemExit:
        return False
    return True


def hand_written(name: str) -> Any:
    for cls in TOPIC_MAGIC_CLASSES:
        if name in cls.magics["line"]:
            return getattr(cls, cls.magics["line"][name])
    raise AssertionError(f"no magic %{name}")


@pytest.mark.parametrize("verb", VERBS)
def test_the_magic_takes_every_option_of_its_cli_verb(verb: str) -> None:
    parser = verb_parser(verb)
    if not VERBS[verb].rich:  # generated: it hands its words to the CLI verb as they are
        assert VERBS[verb].magic in VerbMagics.magics["line"]
        return
    assert VERBS[verb].subcommands == tuple(subparsers(parser))
    magic = hand_written(VERBS[verb].magic)
    refused = []
    for action, words in cases(parser):
        assert cli_accepts(verb, words), words  # the case itself is a valid command line
        line = shlex.join(words)
        try:
            routed = route(magic, line)
        except UsageError as exc:
            refused.append(f"%{VERBS[verb].magic} {line}: {exc}")
            continue
        if routed.args is None:  # the CLI verb shows it: with these words
            assert cli_accepts(verb, routed.words), (line, routed.words)
        elif action is not None and action.dest in vars(routed.args):
            given = getattr(routed.args, action.dest)
            assert given != action.default, f"%{VERBS[verb].magic} {line}: ignored"
        elif action is not None:
            refused.append(f"%{VERBS[verb].magic} {line}: {action.dest} is not read")
    assert refused == []


def test_bad_options_are_one_line(kernel: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert "not allowed with argument --json" in kernel.usage_error(
        "%lineage a.txt --json --dot", capsys
    )
    assert "at least 1" in kernel.usage_error("%version_push -j 0", capsys)
    assert "unrecognized arguments: --nope" in kernel.usage_error("%version_log a --nope", capsys)
    assert "unknown option --nope for nbvc runs show" in kernel.usage_error(
        "%runs show abc --nope", capsys
    )


def test_status_exit_code_fails_the_cell(kernel: Any, capsys: pytest.CaptureFixture[str]) -> None:
    Path("a.txt").write_text("a")
    Path("b.txt").write_text("b")
    kernel.value("%version_add a.txt b.txt")
    assert "changes" in repr(kernel.value("%version_status --exit-code"))
    Path("b.txt").write_text("changed")
    message = kernel.usage_error("%version_status --exit-code", capsys)
    assert message == "not unchanged: b.txt (modified)"


def test_checkout_takes_several_paths_and_a_run(
    kernel: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a.txt", "b.txt"):
        Path(name).write_text("one")
        kernel.value(f"%version_add {name}")
        Path(name).write_text("two")
        kernel.value(f"%version_add {name}")
    restored = repr(kernel.value("%version_checkout a.txt@v1 b.txt@v1"))
    assert "a.txt: restored v1" in restored and "b.txt: restored v1" in restored
    assert Path("a.txt").read_text() == Path("b.txt").read_text() == "one"
    assert "not both" in kernel.usage_error("%version_checkout a.txt --run last", capsys)
    assert "not both" in kernel.usage_error("%version_checkout", capsys)


# -- in a real kernel ---------------------------------------------------------------------------
def notebook_cells(store: Path) -> list[tuple[str, str]]:
    return [
        ("setup", "%load_ext nbvc"),
        ("write", "from pathlib import Path\nPath('data.txt').write_text('hello')"),
        ("add", "%version_add data.txt -q"),
        ("remote", f"%nbvc remote add store {shlex.quote(str(store))} --default"),
        ("status-remote", "%version_status --remote"),
        ("push", "%version_push -j 2"),
        ("in-sync", "%version_status --remote store --exit-code"),
        ("status-json", "%version_status --json"),
        ("log-json", "%version_log data.txt --json"),
        ("metric", "import nbvc\nnbvc.log_metric('acc', 0.75)\nrun = nbvc.end_run()"),
        ("runs-json", "%runs --json -n 5"),
        ("runs-show", "%nbvc runs show last"),
        ("lineage-dot", "%lineage data.txt --dot"),
        ("change", "Path('data.txt').write_text('changed')"),
        ("dirty", "%version_status --exit-code"),
    ]


def outputs(nb: Any, cell_id: str) -> list[dict[str, Any]]:
    (cell,) = [c for c in nb.cells if c.get("id") == cell_id]
    return list(cell.outputs)


def shown(nb: Any, cell_id: str, mime: str = "text/plain") -> str:
    """What the cell's result (or display) shows in ``mime``."""
    return "".join(o["data"].get(mime, "") for o in outputs(nb, cell_id) if "data" in o)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("verb-options")
    Repo.init(str(root))
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    for cell_id, source in notebook_cells(tmp_path_factory.mktemp("store")):
        cell = nbformat.v4.new_code_cell(source)  # type: ignore[no-untyped-call]
        cell["id"] = cell_id
        if cell_id == "dirty":  # nbclient goes on (the cell's error is what we check)
            cell.metadata["tags"] = ["raises-exception"]
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, str(root / "options.ipynb"))  # type: ignore[no-untyped-call]
    env = {
        "PATH": python_on_path(),
        "IPYTHONDIR": str(tmp_path_factory.mktemp("ipython")),
        "NBVC_RUN_ID": "",
        "NBVC_ROOT": "",
    }
    return execute_notebook(str(root / "options.ipynb"), env=env, timeout=300)


def test_status_remote_in_a_real_kernel(executed: Any) -> None:
    before = shown(executed, "status-remote")
    assert "on store" in before and "1 of 1 object missing (%version_push)" in before
    assert "records:" in before
    html = shown(executed, "status-remote", "text/html")
    assert "<table" in html and "complete" in html
    after = shown(executed, "in-sync")
    assert "complete" in after and "missing" not in after


def test_json_forms_come_from_the_cli_verb(executed: Any) -> None:
    (status,) = json.loads(shown(executed, "status-json").split("\n", 1)[1])
    assert status["path"] == "data.txt" and status["state"] == "unchanged"
    (version,) = json.loads(shown(executed, "log-json").split("\n", 1)[1])
    assert version["number"] == 1 and version["produced_by"] == "options.ipynb, cell [2]"
    (run,) = json.loads(shown(executed, "runs-json").split("\n", 1)[1])
    assert run["metrics"] and "short_id" in run
    assert "acc" in shown(executed, "runs-show")
    assert shown(executed, "lineage-dot").startswith("digraph lineage {")


def test_status_exit_code_in_a_real_kernel(executed: Any) -> None:
    """The cell fails (as the CLI exits 1), after showing the table."""
    assert "data.txt  v1       modified" in shown(executed, "dirty")
    errors = "".join(o.get("text", "") for o in outputs(executed, "dirty"))
    assert errors == "UsageError: not unchanged: data.txt (modified)\n"
