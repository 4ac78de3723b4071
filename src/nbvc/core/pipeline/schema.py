"""The pipeline file's schema (DVC's `dvc.yaml` stage schema plus notebook stages).

Validation walks the parsed YAML and raises :class:`PipelineError` at the line of the first
problem, saying what is wrong and, for a misspelt key, what was probably meant.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Any

from nbvc.core.formats.yamlio import KeyPath, YamlDoc

TOP_KEYS = frozenset({"stages", "vars", "metrics", "plots", "params", "artifacts", "datasets"})
STAGE_KEYS = frozenset(
    {
        "cmd",
        "notebook",
        "kernel",
        "parameters",
        "notebook_output",
        "wdir",
        "deps",
        "outs",
        "metrics",
        "plots",
        "params",
        "vars",
        "frozen",
        "always_changed",
        "desc",
        "meta",
    }
)
OUT_KEYS = frozenset(
    {"cache", "persist", "desc", "remote", "push", "type", "labels", "meta", "checkpoint"}
)
PLOT_PROPS = frozenset({"x", "y", "template", "title", "x_label", "y_label"})
PLOT_KEYS = OUT_KEYS | PLOT_PROPS | {"header"}
TEMPLATES = frozenset(
    {
        "linear",
        "simple",
        "scatter",
        "smooth",
        "confusion",
        "confusion_normalized",
        "bar_horizontal",
        "bar_horizontal_sorted",
    }
)
CUSTOM_TEMPLATES = ".dvc/plots"  # where DVC keeps a project's own templates (NAME.json)
ARTIFACT_KEYS = frozenset({"path", "desc", "type", "labels", "meta"})
_SECTIONS = ("deps", "outs", "metrics", "plots", "params")
STAGE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")

Checker = Callable[[Any], bool]


def _is_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_any(value: Any) -> bool:
    return True


def _is_cmd(value: Any) -> bool:
    return _is_str(value) or (
        isinstance(value, list) and bool(value) and all(_is_str(v) for v in value)
    )


def _is_str_or_list(value: Any) -> bool:
    return _is_str(value) or (isinstance(value, list) and all(_is_str(v) for v in value))


_FLAG_TYPES: dict[str, tuple[Checker, str]] = {
    "cache": (_is_bool, "true or false"),
    "persist": (_is_bool, "true or false"),
    "push": (_is_bool, "true or false"),
    "checkpoint": (_is_bool, "true or false"),
    "header": (_is_bool, "true or false"),
    "desc": (_is_str, "a string"),
    "remote": (_is_str, "a string"),
    "type": (_is_str, "a string"),
    "title": (_is_str, "a string"),
    "x_label": (_is_str, "a string"),
    "y_label": (_is_str, "a string"),
    "x": (_is_str, "a column name"),
    "y": (_is_str_or_list, "a column name or a list of them"),
    "template": (_is_str, "a template name"),
    "labels": (lambda v: isinstance(v, list) and all(_is_str(x) for x in v), "a list of strings"),
    "meta": (_is_any, "anything"),
}


def unknown_key(doc: YamlDoc, path: KeyPath, key: Any, allowed: frozenset[str], what: str) -> None:
    if key in allowed:
        return
    guess = difflib.get_close_matches(str(key), sorted(allowed), n=1)
    hint = f"; did you mean {guess[0]!r}?" if guess else f"; allowed: {', '.join(sorted(allowed))}"
    raise doc.error((*path, str(key)), f"unknown key {key!r} in {what}{hint}")


def check_top(doc: YamlDoc) -> Mapping[str, Any]:
    """The file's top level; an empty file (or one holding only comments) has no stages."""
    data = doc.data
    if data is None:
        doc.data = data = {}
    if not isinstance(data, dict):
        raise doc.error((), "the pipeline file must be a mapping with a 'stages' key")
    for key in data:
        unknown_key(doc, (), key, TOP_KEYS, "the pipeline file")
    stages = data.get("stages")
    if stages is None:
        data["stages"] = stages = {}
    if not isinstance(stages, dict):
        raise doc.error(("stages",), "'stages' must be a mapping of stage names to stages")
    for name, body in stages.items():
        if not isinstance(name, str) or not STAGE_NAME.fullmatch(name):
            raise doc.error(
                ("stages", str(name)),
                f"invalid stage name {name!r}: use letters, digits, '_', '-' and '.'",
            )
        if not isinstance(body, dict):
            raise doc.error(("stages", name), f"stage {name!r} must be a mapping")
    return data


def check_group(name: str, body: Mapping[str, Any], doc: YamlDoc, path: KeyPath) -> None:
    """A ``foreach`` stage holds exactly ``foreach`` and ``do``."""
    for key in body:
        unknown_key(doc, path, key, frozenset({"foreach", "do"}), f"foreach stage {name!r}")
    if not isinstance(body.get("do"), dict):
        raise doc.error(path, f"foreach stage {name!r} needs a 'do' mapping with the stage")


def check_stage(name: str, body: Mapping[str, Any], doc: YamlDoc, path: KeyPath) -> None:
    """Check one (interpolated) stage body; ``path`` is where its template is in the file."""
    for key in body:
        unknown_key(doc, path, key, STAGE_KEYS, f"stage {name!r}")
    if ("cmd" in body) == ("notebook" in body):
        raise doc.error(path, f"stage {name!r} needs exactly one of 'cmd' or 'notebook'")
    notebook_only = ("kernel", "parameters", "notebook_output")
    if "cmd" in body and (extra := [k for k in notebook_only if k in body]):
        raise doc.error((*path, extra[0]), f"{extra[0]!r} applies only to notebook stages")
    _check_types(name, body, doc, path)
    for section in ("deps", "outs", "metrics", "plots", "params"):
        for i, entry in enumerate(body.get(section) or ()):
            _check_entry(section, entry, doc, (*path, section, i))


def _check_types(name: str, body: Mapping[str, Any], doc: YamlDoc, path: KeyPath) -> None:
    checks: dict[str, tuple[Checker, str]] = {
        "cmd": (_is_cmd, "a command string or a list of them"),
        "notebook": (_is_str, "a notebook path"),
        "kernel": (_is_str, "a kernel name"),
        "notebook_output": (_is_str, "a path"),
        "wdir": (_is_str, "a folder path"),
        "parameters": (lambda v: isinstance(v, dict), "a mapping of names to values"),
        "vars": (lambda v: isinstance(v, list), "a list"),
        "frozen": (_is_bool, "true or false"),
        "always_changed": (_is_bool, "true or false"),
        "desc": (_is_str, "a string"),
        "meta": (_is_any, "anything"),
        **{s: (lambda v: v is None or isinstance(v, list), "a list") for s in _SECTIONS},
    }
    for key, value in body.items():
        check, expected = checks[key]
        if not check(value):
            raise doc.error((*path, key), f"{key!r} of stage {name!r} must be {expected}")


def _check_entry(section: str, entry: Any, doc: YamlDoc, path: KeyPath) -> None:
    if section == "deps":
        if not _is_str(entry):
            raise doc.error(path, "each dep must be a path")
        return
    if section == "params":
        _check_param(entry, doc, path)
        return
    if _is_str(entry):
        return
    if not (isinstance(entry, dict) and len(entry) == 1):
        raise doc.error(path, f"each entry of {section!r} must be a path or 'path: {{options}}'")
    ((out, flags),) = entry.items()
    if section == "plots" and isinstance(flags, list):  # several plots of one file
        for i, one in enumerate(flags):
            _check_flags(section, out, one, doc, (*path, out, i))
        return
    _check_flags(section, out, flags, doc, (*path, out))


def _check_flags(section: str, out: Any, flags: Any, doc: YamlDoc, path: KeyPath) -> None:
    if not _is_str(out) or not (flags is None or isinstance(flags, dict)):
        raise doc.error(path, f"each entry of {section!r} must be a path or 'path: {{options}}'")
    allowed = PLOT_KEYS if section == "plots" else OUT_KEYS
    for key, value in (flags or {}).items():
        unknown_key(doc, path, key, allowed, f"{section} entry {out!r}")
        check, expected = _FLAG_TYPES[key]
        if not check(value):
            raise doc.error((*path, key), f"{key!r} of {out!r} must be {expected}")


def _check_param(entry: Any, doc: YamlDoc, path: KeyPath) -> None:
    if _is_str(entry):
        return
    if isinstance(entry, dict) and len(entry) == 1:
        ((file, keys),) = entry.items()
        if _is_str(file) and (keys is None or _is_str_or_list(keys)):
            return
    raise doc.error(path, "each param must be a key of params.yaml or 'file: [keys]'")


def check_top_sections(doc: YamlDoc) -> None:
    """Top-level ``metrics``, ``params`` (lists of files), ``plots`` (files, folders, globs or
    definitions), ``artifacts`` (name -> path and annotations) and ``datasets``."""
    for section in ("metrics", "params"):
        entries = doc.data.get(section)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise doc.error((section,), f"top-level {section!r} must be a list of files")
        for i, entry in enumerate(entries):
            if not _is_str(entry):
                raise doc.error((section, i), f"each entry of top-level {section!r} is a path")
    plots = doc.data.get("plots")
    if plots is not None:
        if not isinstance(plots, list):
            raise doc.error(("plots",), "top-level 'plots' must be a list of files or definitions")
        for i, entry in enumerate(plots):
            _check_plot_definition(entry, doc, ("plots", i))
    _check_artifacts(doc)
    datasets = doc.data.get("datasets")
    if datasets is not None and not (
        isinstance(datasets, list) and all(isinstance(d, dict) and "name" in d for d in datasets)
    ):
        raise doc.error(("datasets",), "'datasets' must be a list of mappings with a 'name'")


def _is_columns(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(_is_str(k) and _is_str_or_list(v) for k, v in value.items())
    )


_DEFINITION_TYPES: dict[str, tuple[Checker, str]] = {
    "x": (
        lambda v: _is_str(v) or (_is_columns(v) and all(_is_str(c) for c in v.values())),
        "a column name or a mapping of a file to a column",
    ),
    "y": (
        lambda v: _is_str_or_list(v) or _is_columns(v),
        "a column name, a list of them, or a mapping of files to columns",
    ),
    "x_label": (_is_str, "a string"),
    "y_label": (_is_str, "a string"),
    "title": (_is_str, "a string"),
    "template": (_is_str, "a template name"),
}


def _check_plot_definition(entry: Any, doc: YamlDoc, path: KeyPath) -> None:
    if _is_str(entry):
        return
    if not (isinstance(entry, dict) and len(entry) == 1):
        raise doc.error(path, "each top-level plot is a path or 'id: {x, y, template, ...}'")
    ((plot_id, props),) = entry.items()
    if not _is_str(plot_id) or not (props is None or isinstance(props, dict)):
        raise doc.error(path, "each top-level plot is a path or 'id: {x, y, template, ...}'")
    for key, value in (props or {}).items():
        unknown_key(doc, (*path, plot_id), key, PLOT_PROPS, f"plot {plot_id!r}")
        check, expected = _DEFINITION_TYPES[key]
        if not check(value):
            raise doc.error(
                (*path, plot_id, key), f"{key!r} of plot {plot_id!r} must be {expected}"
            )


def _check_artifacts(doc: YamlDoc) -> None:
    artifacts = doc.data.get("artifacts")
    if artifacts is None:
        return
    if not isinstance(artifacts, dict):
        raise doc.error(("artifacts",), "'artifacts' must map artifact names to {path, ...}")
    for name, body in artifacts.items():
        where = ("artifacts", str(name))
        if not _is_str(name) or not isinstance(body, dict) or not _is_str(body.get("path")):
            raise doc.error(where, f"artifact {name!r} needs a 'path'")
        for key, value in body.items():
            unknown_key(doc, where, key, ARTIFACT_KEYS, f"artifact {name!r}")
            if key in _FLAG_TYPES and not _FLAG_TYPES[key][0](value):
                raise doc.error(
                    (*where, key), f"{key!r} of artifact {name!r} must be {_FLAG_TYPES[key][1]}"
                )


def check_template(name: str, exists: Callable[[str], bool]) -> str | None:
    """Why ``name`` is not a usable plot template (None if it is): built-in, a file in
    ``.dvc/plots`` (``NAME`` or ``NAME.json``) or a path to a JSON template."""
    if name in TEMPLATES or any(exists(p) for p in template_candidates(name)):
        return None
    return (
        f"unknown plot template {name!r}: use one of {', '.join(sorted(TEMPLATES))}, "
        f"or put a Vega-Lite template in {CUSTOM_TEMPLATES}/{name}.json"
    )


def template_candidates(name: str) -> list[str]:
    """Where a custom template called ``name`` may be, repo-relative, in DVC's search order."""
    plain = posixpath.normpath(name)
    if posixpath.isabs(plain) or plain == ".." or plain.startswith("../") or "\\" in plain:
        return []  # a template outside the project is never read
    found = [plain] if plain.endswith(".json") else []
    found += [f"{CUSTOM_TEMPLATES}/{plain}", f"{CUSTOM_TEMPLATES}/{plain}.json"]
    return found
