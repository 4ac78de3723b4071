"""Notebook stages: execute the notebook headless with its params injected as parameters.

Each declared param becomes a variable named by its last dotted part (``train.lr`` -> ``lr``;
a whole params file gives its top-level keys); the stage's ``parameters`` mapping adds or
overrides values.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from nbvc.core.errors import NbvcError
from nbvc.core.pipeline.definition import Stage
from nbvc.core.pipeline.execute import OutputSink, run_argv
from nbvc.core.pipeline.stage import ParamReader
from nbvc.core.repo import Repo

ERROR_MARKER = "nbvc: error: "  # what `python -m nbvc.nbexec` prints before a failure


def notebook_parameters(stage: Stage, params: ParamReader) -> dict[str, Any]:
    assert stage.notebook is not None
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for spec in stage.params:
        for key, value in params.values(spec, stage.name).items():
            name = key.rsplit(".", 1)[-1]
            if name in origin and origin[name] != key:
                raise NbvcError(
                    f"params {origin[name]} and {key} of stage {stage.name} would both be "
                    f"injected as {name!r}; set one explicitly under 'parameters'"
                )
            values[name], origin[name] = value, key
    values.update(stage.notebook.parameters)
    if bad := [name for name in values if not name.isidentifier()]:
        raise NbvcError(
            f"{bad[0]!r} cannot be a notebook parameter of stage {stage.name}: not a Python name"
        )
    return values


def run_notebook_stage(
    repo: Repo,
    stage: Stage,
    cwd: str,
    env: Mapping[str, str],
    params: ParamReader,
    sink: OutputSink,
) -> str | None:
    """Execute the stage's notebook in a subprocess; returns an error message, or None."""
    notebook = stage.notebook
    assert notebook is not None
    argv = [
        sys.executable,
        "-m",
        "nbvc.nbexec",
        repo.abspath(notebook.path),
        "--cwd",
        cwd,
        "--parameters",
        json.dumps(notebook_parameters(stage, params)),
    ]
    if notebook.output:
        argv += ["--output", repo.abspath(notebook.output)]
    if notebook.kernel:
        argv += ["--kernel", notebook.kernel]
    stderr: list[str] = []

    def keep_stderr(stream: str, text: str) -> None:
        if stream == "stderr":
            stderr.append(text)
        sink(stream, text)

    if run_argv(argv, cwd, env, keep_stderr) == 0:
        return None
    # the executor ends a failure with "nbvc: error: <what failed, with the traceback>"
    _, marker, reason = "".join(stderr).rpartition(ERROR_MARKER)
    return reason.strip() if marker else f"notebook {notebook.path} could not be executed"
