"""How the options of the verbs every front end offers are declared, and the table of verbs.

The declarations themselves are in :mod:`nbvc.core.engine_options`, :mod:`nbvc.core.front_options`
and :mod:`nbvc.core.status_options`. A verb's options are a frozen dataclass; each field says,
through :func:`option`, how the command line, the magics and the REST API offer it: its help, its
flags, its REST name and limits. The CLI's arguments (``nbvc.cli.commands.add_options``) and the
magics' arguments (``nbvc.kernel.arguments.options``) are built from it, and the server reads job
arguments with it (``nbvc.server.params.parse_options``). ``tests/test_verbs.py`` fails when the
REST schema in ``openapi.yaml`` or the engine's signature (``Repo.push``, ...) says something else.
"""

from __future__ import annotations

import argparse
import dataclasses
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
MAX_NAME = 200  # a remote, stage or tag name
MAX_PATH = 1024  # a path inside the repo
MAX_TEXT = 10_000  # a message
MAX_SPEC = 1000  # one -S of a sweep


class _Same:
    """The REST field has the option's own name."""


SAME = _Same()


@dataclass(frozen=True)
class Option:
    """How one option is offered. ``flags`` empty: the verb's positional words.

    Every option is offered by the verb's magic too: a notebook user has the command line's
    options (the hand-written magics hand those their rich view cannot show to the CLI verb).
    """

    help: str
    flags: tuple[str, ...] = ()
    metavar: str | None = None
    rest: str | None = None  # its name in REST job arguments; None: not offered there
    cli: bool = True  # False: the magic's only (what a notebook shows, e.g. a chart's metric)
    minimum: int | None = None  # whole numbers
    max_length: int | None = None  # strings, and the items of lists
    required: bool = False  # positional words: at least one
    const: str | None = None  # a flag whose value may be left out: then it is this
    exclusive: str | None = None  # options in the same group cannot be given together
    words: bool = False  # a flag that takes every word up to the next option, joined by spaces


QUIET = Option("no progress bars or notes", ("-q", "--quiet"))
"""``-q``: every verb of the command line takes it, and every hand-written magic."""


def option(
    default: T,
    help: str,
    *flags: str,
    metavar: str | None = None,
    rest: str | _Same | None = SAME,
    cli: bool = True,
    minimum: int | None = None,
    max_length: int | None = None,
    required: bool = False,
    const: str | None = None,
    exclusive: str | None = None,
    words: bool = False,
) -> T:
    """A dataclass field with its default and how the front ends offer it."""
    meta = Option(
        help, flags, metavar, None, cli, minimum, max_length, required, const, exclusive, words
    )
    return field(default=default, metadata={"option": meta, "rest": rest})


def front_option(default: T, help: str, *flags: str, **how: Any) -> T:
    """An option a verb offers on the command line and in notebooks, not over REST."""
    return option(default, help, *flags, rest=None, **how)


@dataclass(frozen=True)
class Spec:
    """One option of a verb: the field's name, type and default, and how it is offered."""

    name: str
    kind: Any  # the field's type: bool, str | None, int | None or tuple[str, ...]
    default: Any
    option: Option

    @property
    def positional(self) -> bool:
        return not self.option.flags

    @property
    def many(self) -> bool:
        """A list of strings: positional words, or a repeatable flag."""
        return typing.get_origin(self.kind) is tuple


def specs(cls: type[Any]) -> Iterator[Spec]:
    """The options of the verb whose options ``cls`` holds, in declaration order."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        declared: Option = f.metadata["option"]
        rest = f.metadata["rest"]
        offered = dataclasses.replace(declared, rest=f.name if rest is SAME else rest)
        yield Spec(f.name, hints[f.name], f.default, offered)


def argparse_argument(spec: Spec) -> tuple[tuple[str, ...], dict[str, Any]]:
    """``(names, keywords)`` for ``argparse``'s ``add_argument`` (the command line and the
    magics both parse with argparse); values go to ``dest`` = the option's name."""
    opt = spec.option
    if spec.positional:
        positional: dict[str, Any] = {"metavar": opt.metavar, "help": opt.help}
        if spec.many:  # else one word, always given
            positional["nargs"] = "+" if opt.required else "*"
        return (spec.name,), positional
    keywords: dict[str, Any] = {"dest": spec.name, "help": opt.help}
    if spec.kind is bool:
        keywords["action"] = "store_false" if spec.default else "store_true"
    elif spec.many:
        keywords.update(action="append", default=[], metavar=opt.metavar)
    else:
        keywords.update(metavar=opt.metavar, default=spec.default)
        if opt.const is not None:
            keywords.update(nargs="?", const=opt.const)
        elif opt.words:
            keywords["nargs"] = "+"
        if opt.minimum is not None:
            keywords["type"] = _at_least(opt.minimum)
    return opt.flags, keywords


def add_arguments(parser: argparse.ArgumentParser, verb: type[Any], surface: str) -> None:
    """Add the options of ``verb`` that ``surface`` (``cli`` or ``magic``) offers to ``parser``,
    in their declared order; those of one ``exclusive`` group exclude each other."""
    groups: dict[str, Any] = {}
    for spec in specs(verb):
        if not offered(spec, surface):
            continue
        names, keywords = argparse_argument(spec)
        target: Any = parser
        if spec.option.exclusive is not None:
            if spec.option.exclusive not in groups:
                groups[spec.option.exclusive] = parser.add_mutually_exclusive_group()
            target = groups[spec.option.exclusive]
        target.add_argument(*names, **keywords)


def offered(spec: Spec, surface: str) -> bool:
    """Whether ``surface`` (``cli`` or ``magic``) offers the option: the magics offer all."""
    return spec.option.cli or surface == "magic"


def from_arguments(verb: type[T], parsed: Any, surface: str) -> T:
    """The verb's options from an argparse namespace of ``surface`` (``cli`` or ``magic``);
    options that surface does not offer keep their defaults."""
    found: dict[str, Any] = {}
    for spec in specs(verb):
        if offered(spec, surface):
            value = getattr(parsed, spec.name)
            if spec.option.words and isinstance(value, list):
                value = " ".join(value)
            found[spec.name] = tuple(value) if isinstance(value, list) else value
    return verb(**found)


def _at_least(low: int) -> Callable[[str], int]:
    def number(text: str) -> int:
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}")
        return value

    return number


def values(options: Any) -> dict[str, Any]:
    """A verb's options as keyword arguments of its engine function (``Repo.push(**...)``)."""
    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}


# -- the verbs --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verb:
    """A top-level verb: the one line ``nbvc --help`` and ``%nbvc --help`` show for it, and the
    magic that offers it in a notebook. ``rich``: that magic is written by hand (it shows HTML
    tables, records the cell that produced a version, ...); the others are generated from this
    table and run the CLI verb itself, so their options are the CLI's by construction."""

    summary: str
    magic: str
    rich: bool = False
    # a rich verb's subcommands (`nbvc runs show`): its magic hands those it does not show
    # itself to the CLI verb
    subcommands: tuple[str, ...] = ()


VERBS: dict[str, Verb] = {
    "init": Verb("Create an nbvc repo in a folder (default: here).", "version_init"),
    "add": Verb("Snapshot files or folders into the cache as a new version.", "version_add", True),
    "status": Verb(
        "Show which tracked artifacts changed in the workspace.", "version_status", True
    ),
    "log": Verb("List an artifact's versions, newest first.", "version_log", True),
    "checkout": Verb(
        "Restore a version (PATH@vN, a tag or a git revision).", "version_checkout", True
    ),
    "diff": Verb("Files added, removed and modified between two versions.", "version_diff"),
    "tag": Verb("Point a tag (e.g. prod) at a version; moves it if it exists.", "version_tag"),
    "lineage": Verb(
        "Show what produced an artifact version, or a script that does.", "lineage", True
    ),
    "gc": Verb("Delete cached objects that no version, tag or pointer references.", "version_gc"),
    "fsck": Verb("Re-hash every cached object; quarantine corrupt ones.", "version_fsck"),
    "repro": Verb("Bring pipeline outputs up to date: run the stages that changed.", "repro", True),
    "runs": Verb(
        "List runs (every repro and logged session) with params and metrics.",
        "runs",
        True,
        ("show", "diff", "get", "rename", "tag", "note", "delete", "restore"),
    ),
    "params": Verb("Compare params between runs, the workspace and git.", "params"),
    "metrics": Verb("Show and compare metrics of runs, the workspace and git.", "metrics"),
    "plots": Verb("Plot metric curves and plot files of runs.", "plots", True, ("show", "diff")),
    "remote": Verb("Configure the remotes that push, fetch and pull use.", "version_remote"),
    "push": Verb("Send tracked data and history records to a remote.", "version_push", True),
    "fetch": Verb(
        "Receive history records and data from a remote into the cache.", "version_fetch"
    ),
    "pull": Verb(
        "Fetch from a remote, then check out what the pointer files say.", "version_pull", True
    ),
    "du": Verb(
        "Logical and stored size of each artifact's versions and of the cache.", "version_du"
    ),
    "import-dvc": Verb("Adopt the data .dvc files track as nbvc versions.", "import_dvc"),
    "artifacts": Verb("List the models and datasets the pipeline file declares.", "artifacts"),
    "models": Verb(
        "The model registry: versions, aliases, source runs; `alias` moves one.", "models"
    ),
    "import": Verb("Bring in history another tool kept (`nbvc import mlflow`).", "import_runs"),
    "exp": Verb("Experiments: param sweeps in isolated workspaces, on Dask; apply a run.", "exp"),
    "export": Verb("Export the pipeline to another engine (Kubeflow Pipelines).", "export"),
}
