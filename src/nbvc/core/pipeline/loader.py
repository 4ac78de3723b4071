"""Loading `nbvc.yaml` (or, failing that, `dvc.yaml`) into a validated :class:`Pipeline`.

:func:`parse_pipeline` works on text and a file reader, so the same code reads the workspace
and a git revision; :func:`load_pipeline` adds the checks that need the workspace (missing deps,
cycles, overlapping outs, see :mod:`nbvc.core.pipeline.dag`).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Mapping
from typing import Any

from nbvc.core.errors import DataFileError, NoPipelineError
from nbvc.core.formats import limits
from nbvc.core.formats.datafiles import parse
from nbvc.core.formats.yamlio import KeyPath, YamlDoc, load
from nbvc.core.pipeline import schema
from nbvc.core.pipeline.definition import (
    METRICS,
    OUTS,
    PLOTS,
    Artifact,
    Dep,
    NotebookSpec,
    Out,
    ParamSpec,
    Pipeline,
    PlotDef,
    Stage,
)
from nbvc.core.pipeline.interpolate import (
    InterpolationError,
    foreach_items,
    interpolate,
    matrix_items,
    merge_vars,
)
from nbvc.core.storage.fsutil import read_within

PIPELINE_FILES = ("nbvc.yaml", "dvc.yaml")
PARAMS_FILE = "params.yaml"
RESERVED = frozenset({".nbvc", ".git", ".dvc"})

ReadText = Callable[[str], str | None]  # repo-relative path -> text, or None if absent


def find_pipeline_file(root: str) -> str | None:
    for name in PIPELINE_FILES:
        path = os.path.join(root, name)
        if os.path.isfile(path):
            return path
    return None


def workspace_reader(root: str) -> ReadText:
    """Reads repo files as text: UTF-8, within the size limit, never through a symlink that
    leads out of the repo (see :func:`~nbvc.core.storage.fsutil.read_within`)."""

    def read(relpath: str) -> str | None:
        data = read_within(root, relpath)
        return None if data is None else limits.decode(data, relpath)

    return read


def load_pipeline(root: str, check_workspace: bool = True) -> Pipeline:
    """Read and validate the pipeline file at the repo ``root``."""
    path = find_pipeline_file(root)
    if path is None:
        raise NoPipelineError(
            f"no pipeline here: create {PIPELINE_FILES[0]} at {root} with a 'stages' mapping "
            "(a dvc.yaml works too)"
        )
    read = workspace_reader(root)
    text = read(os.path.basename(path)) or ""
    pipeline = parse_pipeline(text, os.path.basename(path), read, path)
    if check_workspace:
        from nbvc.core.pipeline.dag import check

        check(pipeline, root)
    return pipeline


def parse_pipeline(text: str, file: str, read: ReadText, path: str = "") -> Pipeline:
    doc = load(text, file)
    data = schema.check_top(doc)
    schema.check_top_sections(doc)
    context = _top_vars(doc, read)
    stages: dict[str, Stage] = {}
    groups: dict[str, tuple[str, ...]] = {}
    for name, body in data["stages"].items():
        expanded = list(_expand(name, body, context, doc, read))
        if "foreach" in body or "matrix" in body:
            groups[name] = tuple(stage.name for stage in expanded)
        for stage in expanded:
            stages[stage.name] = stage
    return Pipeline(
        path=path,
        file=file,
        stages=stages,
        groups=groups,
        metrics=tuple(
            _repo_path("", m, doc, ("metrics", i)) for i, m in enumerate(data.get("metrics") or ())
        ),
        plots=tuple(
            _plot_def(entry, doc, ("plots", i), read)
            for i, entry in enumerate(data.get("plots") or ())
        ),
        params=tuple(
            ParamSpec(_repo_path("", p, doc, ("params", i)), p, None, doc.line(("params", i)))
            for i, p in enumerate(data.get("params") or ())
        ),
        artifacts=tuple(_artifacts(data.get("artifacts") or {}, doc)),
        datasets=tuple(data.get("datasets") or ()),
    )


def _plot_def(entry: Any, doc: YamlDoc, path: KeyPath, read: ReadText) -> PlotDef:
    """A top-level plot: a path, or ``id: props`` where ``y`` may map files to columns."""
    if isinstance(entry, str):
        return PlotDef(_repo_path("", entry, doc, path), {}, doc.line(path))
    ((plot_id, props),) = entry.items()
    props = dict(props or {})
    _check_template(props, doc, (*path, plot_id), read)
    for axis in ("x", "y"):
        if isinstance(props.get(axis), dict):
            props[axis] = {
                _repo_path("", f, doc, (*path, plot_id, axis, f)): c for f, c in props[axis].items()
            }
    if isinstance(props.get("y"), dict):
        return PlotDef(plot_id, props, doc.line(path), is_path=False)
    return PlotDef(_repo_path("", plot_id, doc, path), props, doc.line(path))


def _check_template(props: dict[str, Any], doc: YamlDoc, path: KeyPath, read: ReadText) -> None:
    name = props.get("template")
    if name is None:
        return
    problem = schema.check_template(name, lambda p: read(p) is not None)
    if problem is not None:
        raise doc.error((*path, "template"), problem)


def _artifacts(entries: Mapping[str, Any], doc: YamlDoc) -> list[Artifact]:
    return [
        Artifact(
            name=str(name),
            path=_repo_path("", body["path"], doc, ("artifacts", str(name), "path")),
            type=body.get("type"),
            desc=body.get("desc"),
            labels=tuple(body.get("labels") or ()),
            meta=body.get("meta"),
        )
        for name, body in entries.items()
    ]


# -- vars ------------------------------------------------------------------------------------
def _top_vars(doc: YamlDoc, read: ReadText) -> dict[str, Any]:
    context: dict[str, Any] = {}
    default = read(PARAMS_FILE)
    if default is not None:
        context = _merge(context, _parse_vars_file(default, PARAMS_FILE, doc, ()), doc, ())
    return _load_vars(doc.data.get("vars"), "", context, doc, ("vars",), read)


def _load_vars(
    entries: Any,
    base: str,
    context: dict[str, Any],
    doc: YamlDoc,
    path: KeyPath,
    read: ReadText,
) -> dict[str, Any]:
    if entries is None:
        return context
    if not isinstance(entries, list):
        raise doc.error(path, "'vars' must be a list of files and mappings")
    for i, entry in enumerate(entries):
        where = (*path, i)
        if isinstance(entry, dict):
            context = _merge(context, interpolate(entry, context, doc, where), doc, where)
            continue
        if not isinstance(entry, str) or not entry:
            raise doc.error(where, "each var entry is a file name ('file.yaml[:keys]') or mapping")
        file, _, keys = entry.partition(":")
        relpath = _repo_path(base, file, doc, where)
        text = read(relpath)
        if text is None:
            raise doc.error(where, f"vars file {relpath} does not exist")
        values = _parse_vars_file(text, relpath, doc, where)
        if keys:
            values = _select(values, keys.split(","), relpath, doc, where)
        context = _merge(context, values, doc, where)
    return context


def _parse_vars_file(text: str, name: str, doc: YamlDoc, path: KeyPath) -> dict[str, Any]:
    try:
        values = parse(text, name)
    except DataFileError as exc:
        raise doc.error(path, str(exc)) from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise doc.error(path, f"{name} must hold a mapping to be used as vars")
    return values


def _select(
    values: Mapping[str, Any], keys: list[str], name: str, doc: YamlDoc, path: KeyPath
) -> dict[str, Any]:
    selected: dict[str, Any] = {}
    for key in (k.strip() for k in keys):
        if key not in values:
            raise doc.error(path, f"{name} has no key {key!r}")
        selected[key] = values[key]
    return selected


def _merge(
    context: dict[str, Any], extra: Mapping[str, Any], doc: YamlDoc, path: KeyPath
) -> dict[str, Any]:
    try:
        return merge_vars(context, extra)
    except InterpolationError as exc:
        raise doc.error(path, str(exc)) from None


# -- stages ----------------------------------------------------------------------------------
def _expand(
    name: str, body: dict[str, Any], context: dict[str, Any], doc: YamlDoc, read: ReadText
) -> list[Stage]:
    path: KeyPath = ("stages", name)
    if "foreach" in body:
        schema.check_group(name, body, doc, path)
        items = interpolate(body["foreach"], context, doc, (*path, "foreach"))
        if not isinstance(items, list | dict) or not items:
            raise doc.error((*path, "foreach"), "'foreach' must be a non-empty list or mapping")
        return [
            _stage(
                f"{name}@{suffix}",
                body["do"],
                (*path, "do"),
                {"item": item, "key": key},
                context,
                doc,
                read,
            )
            for suffix, key, item in foreach_items(items)
        ]
    if "matrix" in body:
        matrix = interpolate(body["matrix"], context, doc, (*path, "matrix"))
        valid = isinstance(matrix, dict) and matrix
        if not valid or not all(isinstance(v, list) and v for v in matrix.values()):
            raise doc.error((*path, "matrix"), "'matrix' must map names to non-empty lists")
        template = {k: v for k, v in body.items() if k != "matrix"}
        return [
            _stage(
                f"{name}@{suffix}",
                template,
                path,
                {"item": item, "key": suffix},
                context,
                doc,
                read,
            )
            for suffix, item in matrix_items(matrix)
        ]
    return [_stage(name, body, path, {}, context, doc, read)]


def _stage(
    name: str,
    template: dict[str, Any],
    path: KeyPath,
    local: dict[str, Any],
    context: dict[str, Any],
    doc: YamlDoc,
    read: ReadText,
) -> Stage:
    """Resolve one stage ``template`` (found at ``path``) with ``local`` vars (item, key)."""
    context = {**context, **local}
    raw_wdir = template.get("wdir", ".")
    wdir_value = interpolate(raw_wdir, context, doc, (*path, "wdir"))
    wdir = _repo_path("", wdir_value, doc, (*path, "wdir")) if isinstance(wdir_value, str) else ""
    context = _load_vars(template.get("vars"), wdir, context, doc, (*path, "vars"), read)
    body = interpolate({k: v for k, v in template.items() if k != "vars"}, context, doc, path)
    schema.check_stage(name, body, doc, path)
    return _build(name, body, wdir, doc, path, read)


def _build(
    name: str, body: dict[str, Any], wdir: str, doc: YamlDoc, path: KeyPath, read: ReadText
) -> Stage:
    deps = [
        Dep(_repo_path(wdir, d, doc, (*path, "deps", i)), d, doc.line((*path, "deps", i)))
        for i, d in enumerate(body.get("deps") or ())
    ]
    outs = [
        _out(entry, wdir, section, doc, (*path, section, i), read)
        for section in (OUTS, METRICS, PLOTS)
        for i, entry in enumerate(body.get(section) or ())
    ]
    notebook = None
    if "notebook" in body:
        notebook = _notebook(body, wdir, doc, path)
        if notebook.path not in {d.path for d in deps}:
            deps.insert(0, Dep(notebook.path, body["notebook"], doc.line((*path, "notebook"))))
        if notebook.output and notebook.output not in {o.path for o in outs}:
            line = doc.line((*path, "notebook_output"))
            outs.append(Out(notebook.output, body["notebook_output"], line))
    cmd = body.get("cmd")
    return Stage(
        name=name,
        line=doc.line(path),
        wdir=wdir,
        cmd=tuple(cmd) if isinstance(cmd, list) else cmd,
        notebook=notebook,
        deps=tuple(deps),
        outs=tuple(outs),
        params=tuple(_params(body.get("params") or (), wdir, doc, (*path, "params"))),
        frozen=body.get("frozen", False),
        always_changed=body.get("always_changed", False),
        desc=body.get("desc"),
    )


def _notebook(body: dict[str, Any], wdir: str, doc: YamlDoc, path: KeyPath) -> NotebookSpec:
    output = body.get("notebook_output")
    return NotebookSpec(
        path=_repo_path(wdir, body["notebook"], doc, (*path, "notebook")),
        kernel=body.get("kernel"),
        parameters=body.get("parameters") or {},
        output=_repo_path(wdir, output, doc, (*path, "notebook_output")) if output else None,
    )


def _out(entry: Any, wdir: str, section: str, doc: YamlDoc, path: KeyPath, read: ReadText) -> Out:
    declared, flags = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
    configs = flags if isinstance(flags, list) else [flags or {}]
    plots = []
    for i, config in enumerate(configs):
        props = {k: v for k, v in (config or {}).items() if k in schema.PLOT_PROPS}
        where = (*path, declared, i) if isinstance(flags, list) else (*path, declared)
        _check_template(props, doc, where, read)
        plots.append(props)
    first = configs[0] or {}
    return Out(
        path=_repo_path(wdir, declared, doc, path),
        declared=declared,
        line=doc.line(path),
        section=section,
        cache=first.get("cache", True),
        persist=first.get("persist", False),
        plots=tuple(plots) if section == PLOTS else (),
    )


def _params(entries: Any, wdir: str, doc: YamlDoc, path: KeyPath) -> list[ParamSpec]:
    """Param entries grouped by file; a file listed without keys means all of its params."""
    keys_by_file: dict[str, list[str] | None] = {}
    declared: dict[str, tuple[str, int | None]] = {}
    for i, entry in enumerate(entries):
        if isinstance(entry, str):
            file, keys = PARAMS_FILE, [entry]
        else:
            ((file, keys),) = entry.items()
            keys = [keys] if isinstance(keys, str) else list(keys or ())
        relpath = _repo_path(wdir, file, doc, (*path, i))
        declared.setdefault(relpath, (file, doc.line((*path, i))))
        known = keys_by_file.get(relpath, [])
        keys_by_file[relpath] = None if known is None or not keys else [*known, *keys]
    return [
        ParamSpec(relpath, declared[relpath][0], _unique(keys), declared[relpath][1])
        for relpath, keys in keys_by_file.items()
    ]


def _unique(keys: list[str] | None) -> tuple[str, ...] | None:
    return None if keys is None else tuple(dict.fromkeys(keys))


def _repo_path(wdir: str, declared: str, doc: YamlDoc, path: KeyPath) -> str:
    """``declared`` (relative to ``wdir``) as a repo-relative POSIX path; escapes are errors."""
    if posixpath.isabs(declared) or "\\" in declared or "\x00" in declared:
        raise doc.error(path, f"{declared!r} must be a relative path inside the repo")
    joined = posixpath.normpath(posixpath.join(wdir or ".", declared))
    if joined == ".." or joined.startswith("../"):
        raise doc.error(path, f"{declared!r} points outside the repo")
    if joined.split("/", 1)[0] in RESERVED:
        raise doc.error(path, f"{declared!r} is inside {joined.split('/', 1)[0]}/")
    return "" if joined == "." else joined
