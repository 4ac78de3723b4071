"""nbvc models [NAME] | models alias NAME@ALIAS VERSION | models unalias NAME@ALIAS"""

from __future__ import annotations

import argparse
from typing import Any

from nbvc.cli.commands import add_parser
from nbvc.cli.output import COUNT, SIZE, TIME, Column, print_json, table
from nbvc.core import ModelVersion, NbvcError, Repo, RunNotFoundError, short_id, value_text


def register(sub: Any) -> list[str]:
    parser = add_parser(
        sub,
        "models",
        "The model registry: `nbvc models` lists models, `nbvc models NAME` its versions "
        "(aliases, source run and its metrics), `nbvc models alias NAME@ALIAS vN` moves an "
        "alias, `nbvc models unalias NAME@ALIAS` removes one.",
    )
    parser.add_argument("words", nargs="*", metavar="NAME | alias NAME@ALIAS VERSION")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return ["models"]


def run(args: argparse.Namespace) -> int:
    words: list[str] = args.words
    with Repo.find() as repo:
        if words[:1] == ["alias"]:
            return _alias(repo, words[1:])
        if words[:1] == ["unalias"]:
            return _unalias(repo, words[1:])
        if len(words) > 1:
            raise NbvcError("name one model (`nbvc models NAME`), or none to list them all")
        versions = repo.models.versions(words[0] if words else None)
        if words and not versions:
            repo.models.resolve(words[0])  # raises ModelNotFoundError with a hint
        if args.json:
            print_json([v.to_json() for v in versions])
        elif not versions:
            print("No models yet: nbvc.log_model(model, 'name') registers one.")
        elif words:
            print(_versions(repo, versions))
        else:
            print(_models(versions))
    return 0


def _models(versions: list[ModelVersion]) -> str:
    by_name: dict[str, list[ModelVersion]] = {}
    for version in versions:
        by_name.setdefault(version.name, []).append(version)
    rows = []
    for name, found in sorted(by_name.items()):
        latest = found[-1]
        aliases = [f"{a}->v{v.version}" for v in found for a in v.aliases]
        rows.append(
            [name, len(found), f"v{latest.version}", latest.created,
             latest.flavour, ", ".join(aliases) or None, latest.path]
        )  # fmt: skip
    columns = [
        Column("model"),
        Column("versions", COUNT),
        Column("latest"),
        Column("logged", TIME),
        Column("flavour"),
        Column("aliases"),
        Column("declared path"),
    ]
    return table(columns, rows)


def _versions(repo: Repo, versions: list[ModelVersion]) -> str:
    rows = []
    for version in reversed(versions):
        run_text, metrics = "-", ""
        if version.run:
            try:
                run = repo.runs.get(version.run)
                run_text = f"{run.short_id} {run.name or ''}".strip()
                metrics = ", ".join(
                    f"{name}={value_text(value)}"
                    for named in run.metrics.values()
                    for name, value in named.items()
                    if not name.startswith("system/")
                )
            except RunNotFoundError:
                run_text = f"{short_id(version.run)} (gone)"
        rows.append(
            [f"v{version.version}", ", ".join(version.aliases) or None, version.created,
             version.flavour, version.size, run_text, metrics or None]
        )  # fmt: skip
    columns = [
        Column("version"),
        Column("aliases"),
        Column("logged", TIME),
        Column("flavour"),
        Column("size", SIZE),
        Column("run"),
        Column("metrics"),
    ]
    return table(columns, rows)


def _alias(repo: Repo, words: list[str]) -> int:
    if len(words) != 2 or "@" not in words[0]:
        raise NbvcError("usage: nbvc models alias NAME@ALIAS VERSION (e.g. churn@prod v3)")
    name, _, alias = words[0].partition("@")
    version = repo.models.set_alias(name, alias, words[1])
    assert version is not None
    print(f"{name}@{alias} -> v{version.version}")
    return 0


def _unalias(repo: Repo, words: list[str]) -> int:
    if len(words) != 1 or "@" not in words[0]:
        raise NbvcError("usage: nbvc models unalias NAME@ALIAS")
    name, _, alias = words[0].partition("@")
    repo.models.set_alias(name, alias, None)
    print(f"Removed {name}@{alias}")
    return 0
