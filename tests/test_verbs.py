"""Each verb's options are declared once (`nbvc.core.verbs`); the command line, the magics, the
REST contract (`openapi.yaml`), the server's parser and the engine's signature all agree with
that declaration, or a test here says where they differ."""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from nbvc.cli.main import build_parser
from nbvc.core import (
    AddOptions,
    CheckoutOptions,
    ExpRunOptions,
    LineageOptions,
    LogOptions,
    PlotsDiffOptions,
    PlotsOptions,
    PullOptions,
    PushOptions,
    Repo,
    ReproOptions,
    RunsOptions,
    StatusOptions,
    TransferOptions,
    VerbOption,
    verb_options,
)
from nbvc.kernel.exp_magics import ExpMagics
from nbvc.kernel.magics import VersionMagics
from nbvc.kernel.remote_magics import RemoteMagics
from nbvc.kernel.run_magics import RunMagics
from nbvc.server import openapi
from nbvc.server.errors import ApiError
from nbvc.server.params import parse_options

# verb -> (its options, its CLI command, its magic, its REST schema, its engine function)
VERBS: dict[str, tuple[type[Any], str, Any, str | None, Callable[..., Any] | None]] = {
    "add": (AddOptions, "add", VersionMagics.version_add, "AddRequest", Repo.add),
    "push": (PushOptions, "push", RemoteMagics.version_push, "TransferArgs", Repo.push),
    "fetch": (TransferOptions, "fetch", None, None, Repo.fetch),
    "pull": (PullOptions, "pull", RemoteMagics.version_pull, "PullArgs", Repo.pull),
    "repro": (ReproOptions, "repro", RunMagics.repro, "ReproArgs", None),
    "exp run": (ExpRunOptions, "exp run", ExpMagics.exp_run, "ExpRunArgs", None),
    "status": (StatusOptions, "status", VersionMagics.version_status, None, None),
    "log": (LogOptions, "log", VersionMagics.version_log, None, None),
    "checkout": (CheckoutOptions, "checkout", VersionMagics.version_checkout, None, None),
    "lineage": (LineageOptions, "lineage", VersionMagics.lineage, None, None),
    "runs": (RunsOptions, "runs", None, None, None),  # %runs adds --plot and --widget
    "plots show": (PlotsOptions, "plots show", RunMagics.plots, None, None),
    "plots diff": (PlotsDiffOptions, "plots diff", None, None, None),
}
IGNORED_ACTIONS = {"help", "quiet"}
JSON_TYPES = {
    bool: "boolean",
    str: "string",
    str | None: ["string", "null"],
    int | None: ["integer", "null"],
}
ENGINE_ONLY = {"reporter", "producer", "reuse"}  # engine parameters that are no user option


def arguments(parser: argparse.ArgumentParser) -> dict[str, tuple[tuple[str, ...], str | None]]:
    """dest -> (flags, help) of a parser's arguments."""
    return {
        action.dest: (tuple(action.option_strings), action.help)
        for action in parser._actions
        if action.dest not in IGNORED_ACTIONS
        and not isinstance(action, argparse._SubParsersAction)  # `nbvc runs show`: its own
    }


def offered(options: type[Any], surface: str) -> dict[str, tuple[tuple[str, ...], str | None]]:
    return {
        spec.name: (spec.option.flags, spec.option.help)
        for spec in verb_options(options)
        if spec.option.cli or surface == "magic"
    }


def command_parser(name: str) -> argparse.ArgumentParser:
    """The parser of a command (``exp run``: a subcommand of a command)."""
    words = name.split()
    found, _ = build_parser(words[:1])
    for word in words:
        sub = next(a for a in found._actions if isinstance(a, argparse._SubParsersAction))
        found = sub.choices[word]
    return found


def schema_problems(options: type[Any], schema: dict[str, Any]) -> list[str]:
    """Where a REST schema differs from the declared options (``path`` names the repo)."""
    properties = {k: v for k, v in schema["properties"].items() if k != "path"}
    declared = {s.option.rest: s for s in verb_options(options) if s.option.rest is not None}
    problems = [f"{name}: in openapi.yaml only" for name in sorted(set(properties) - set(declared))]
    problems += [f"{name}: not in openapi.yaml" for name in sorted(set(declared) - set(properties))]
    for name in sorted(set(properties) & set(declared)):
        problems += [f"{name}: {p}" for p in _property_problems(declared[name], properties[name])]
        if declared[name].option.required != (name in schema.get("required", ())):
            problems.append(f"{name}: required must be {declared[name].option.required}")
    if schema.get("additionalProperties") is not False:
        problems.append("unknown fields must be refused (additionalProperties: false)")
    return problems


def _property_problems(spec: VerbOption, prop: dict[str, Any]) -> list[str]:
    problems = []
    limit = spec.option.max_length
    if spec.many:
        if prop.get("type") != "array" or prop["items"].get("type") != "string":
            problems.append("must be an array of strings")
        elif limit is not None and prop["items"].get("maxLength") != limit:
            problems.append(f"items must be at most {limit} long")
        return problems
    if prop.get("type") != JSON_TYPES[spec.kind]:
        problems.append(f"type must be {JSON_TYPES[spec.kind]}")
    if "default" in prop and prop["default"] != spec.default:
        problems.append(f"default must be {spec.default!r}")
    if limit is not None and prop.get("maxLength") != limit:
        problems.append(f"must be at most {limit} long")
    return problems


@pytest.mark.parametrize("verb", VERBS)
def test_the_command_line_offers_what_is_declared(verb: str) -> None:
    options, command, _, _, _ = VERBS[verb]
    assert arguments(command_parser(command)) == offered(options, "cli")


@pytest.mark.parametrize("verb", [v for v in VERBS if VERBS[v][2] is not None])
def test_the_magic_offers_what_is_declared(verb: str) -> None:
    options, _, magic, _, _ = VERBS[verb]
    assert arguments(magic.parser) == offered(options, "magic")


@pytest.mark.parametrize("verb", [v for v in VERBS if VERBS[v][3] is not None])
def test_the_rest_contract_says_what_is_declared(verb: str) -> None:
    options, _, _, schema_name, _ = VERBS[verb]
    assert schema_name is not None
    schema = openapi.document()["components"]["schemas"][schema_name]
    assert schema_problems(options, schema) == []


def test_a_renamed_or_retyped_rest_field_is_reported() -> None:
    schema = openapi.document()["components"]["schemas"]["PullArgs"]
    drifted = {**schema, "properties": dict(schema["properties"])}
    drifted["properties"]["allVersions"] = drifted["properties"].pop("all_versions")
    drifted["properties"]["remote"] = {"type": "string", "maxLength": 100}
    assert schema_problems(PullOptions, drifted) == [
        "allVersions: in openapi.yaml only",
        "all_versions: not in openapi.yaml",
        "remote: type must be ['string', 'null']",
        "remote: must be at most 200 long",
    ]


@pytest.mark.parametrize("verb", [v for v in VERBS if VERBS[v][4] is not None])
def test_the_engine_takes_what_is_declared(verb: str) -> None:
    options, _, _, _, engine = VERBS[verb]
    assert engine is not None
    parameters = list(inspect.signature(engine).parameters.values())[1:]  # after self
    declared = [
        (s.name, inspect.Parameter.empty if s.option.required else s.default)
        for s in verb_options(options)
    ]
    assert [(p.name, p.default) for p in parameters if p.name not in ENGINE_ONLY] == declared


def test_the_server_reads_job_arguments_with_the_declaration() -> None:
    request = parse_options(
        PullOptions,
        {"path": "lab", "targets": ["a"], "remote": "r", "all_versions": True, "force": True},
        "job args",
    )
    assert request.path == "lab"
    assert request.options == PullOptions(("a",), "r", True, None, True)
    assert parse_options(ReproOptions, {"dry_run": True}, "x").options == ReproOptions(dry=True)
    with pytest.raises(ApiError, match="unknown field"):
        parse_options(TransferOptions, {"force": True}, "job args")  # pull only
    with pytest.raises(ApiError, match="unknown field"):
        parse_options(TransferOptions, {"jobs": 2}, "job args")  # not offered over REST
    with pytest.raises(ApiError, match="'remote' is longer than 200"):
        parse_options(TransferOptions, {"remote": "r" * 201}, "job args")
