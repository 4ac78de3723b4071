"""Notebook stages: execute the notebook headless with its params injected as parameters.

Each declared param becomes a variable named by its last dotted part (``train.lr`` -> ``lr``;
a whole params file gives its top-level keys); the stage's ``parameters`` mapping adds or
overrides values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nbvc.core.notebook_exec import NotebookError, execute_notebook
from nbvc.core.pipeline.model import Stage
from nbvc.core.pipeline.stage import ParamReader
from nbvc.core.repo import Repo
from nbvc.core.runs.logging import ROOT_ENV, RUN_ID_ENV, STAGE_ENV


def notebook_parameters(stage: Stage, params: ParamReader) -> dict[str, Any]:
    assert stage.notebook is not None
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for spec in stage.params:
        for key, value in params.values(spec, stage.name).items():
            name = key.rsplit(".", 1)[-1]
            if name in origin and origin[name] != key:
                raise NotebookError(
                    f"params {origin[name]} and {key} of stage {stage.name} would both be "
                    f"injected as {name!r}; set one explicitly under 'parameters'"
                )
            values[name], origin[name] = value, key
    values.update(stage.notebook.parameters)
    if bad := [name for name in values if not name.isidentifier()]:
        raise NotebookError(
            f"{bad[0]!r} cannot be a notebook parameter of stage {stage.name}: not a Python name"
        )
    return values


def run_notebook_stage(
    repo: Repo,
    stage: Stage,
    cwd: str,
    env: Mapping[str, str],
    params: ParamReader,
    sink: Callable[[str, str], None],
) -> str | None:
    """Execute the stage's notebook; returns an error message, or None on success."""
    notebook = stage.notebook
    assert notebook is not None
    try:
        execute_notebook(
            repo.abspath(notebook.path),
            cwd=cwd,
            parameters=notebook_parameters(stage, params),
            output_path=repo.abspath(notebook.output) if notebook.output else None,
            env={k: env[k] for k in (RUN_ID_ENV, ROOT_ENV, STAGE_ENV, "PYTHONUNBUFFERED")},
            kernel_name=notebook.kernel,
            sink=sink,
        )
    except NotebookError as exc:
        return str(exc)
    return None
