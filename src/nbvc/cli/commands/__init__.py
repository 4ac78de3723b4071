"""One module per verb. Each has ``register(subparsers) -> names`` and ``run(args) -> int``."""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import Any, NamedTuple, TypeVar

from nbvc.core import argparse_argument, options_from_arguments, verb_options

V = TypeVar("V")


def common() -> argparse.ArgumentParser:
    """Options every verb accepts."""
    parent = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: without -q after the verb, keep what `nbvc -q VERB` set instead of resetting it
    parent.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="no progress bars or notes",
    )
    return parent


def add_parser(sub: Any, name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_text, description=help_text, parents=[common()], **kwargs
    )
    return parser


def add_options(parser: argparse.ArgumentParser, verb: type[Any]) -> None:
    """The arguments of a verb, from the dataclass that declares its options
    (:mod:`nbvc.core.verbs`)."""
    for spec in verb_options(verb):
        if spec.option.cli:
            names, keywords = argparse_argument(spec)
            parser.add_argument(*names, **keywords)


def options_of(verb: type[V], args: argparse.Namespace) -> V:
    """The verb's options from parsed arguments (those the CLI does not offer: defaults)."""
    return options_from_arguments(verb, args, "cli")


class Verb(NamedTuple):
    """A top-level command: the module in this package that implements it, and the one line
    `nbvc --help` shows for it (declared here so that the listing imports no verb module)."""

    module: str
    summary: str


# Only the module of the command being run is imported, which keeps start-up short: `nbvc
# --version` and `nbvc --help` import none (tests/cli/test_main.py checks this table against the
# modules).
COMMANDS: dict[str, Verb] = {
    "init": Verb("init", "Create an nbvc repo in a folder (default: here)."),
    "add": Verb("add", "Snapshot files or folders into the cache as a new version."),
    "status": Verb("status", "Show which tracked artifacts changed in the workspace."),
    "log": Verb("log", "List an artifact's versions, newest first."),
    "checkout": Verb("checkout", "Restore a version (PATH@vN, a tag or a git revision)."),
    "diff": Verb("diff", "Files added, removed and modified between two versions."),
    "tag": Verb("tag", "Point a tag (e.g. prod) at a version; moves it if it exists."),
    "lineage": Verb("lineage", "Show what produced an artifact version, or a script that does."),
    "gc": Verb("gc", "Delete cached objects that no version, tag or pointer references."),
    "fsck": Verb("fsck", "Re-hash every cached object; quarantine corrupt ones."),
    "repro": Verb("repro", "Bring pipeline outputs up to date: run the stages that changed."),
    "runs": Verb("runs", "List runs (every repro and logged session) with params and metrics."),
    "params": Verb("params", "Compare params between runs, the workspace and git."),
    "metrics": Verb("metrics", "Show and compare metrics of runs, the workspace and git."),
    "plots": Verb("plots", "Plot metric curves and plot files of runs."),
    "remote": Verb("remote", "Configure the remotes that push, fetch and pull use."),
    "push": Verb("push", "Send tracked data and history records to a remote."),
    "fetch": Verb("fetch", "Receive history records and data from a remote into the cache."),
    "pull": Verb("pull", "Fetch from a remote, then check out what the pointer files say."),
    "du": Verb("du", "Logical and stored size of each artifact's versions and of the cache."),
    "import-dvc": Verb("import_dvc", "Adopt the data .dvc files track as nbvc versions."),
    "artifacts": Verb("artifacts", "List the models and datasets the pipeline file declares."),
    "models": Verb(
        "models", "The model registry: versions, aliases, source runs; `alias` moves one."
    ),
    "import": Verb("import_cmd", "Bring in history another tool kept (`nbvc import mlflow`)."),
    "exp": Verb("exp", "Experiments: param sweeps in isolated workspaces, on Dask; apply a run."),
    "export": Verb("export", "Export the pipeline to another engine (Kubeflow Pipelines)."),
}


def load(name: str) -> ModuleType:
    import importlib

    return importlib.import_module(f"nbvc.cli.commands.{COMMANDS[name].module}")
