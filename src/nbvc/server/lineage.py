"""What the lineage routes do: the lineage tree of an artifact version, the cells of a notebook,
and the script that reproduces a version.

Cell nodes carry ``notebook_path``: the notebook relative to the server root (what JupyterLab
opens), or null when the notebook is not under the root (or not known), so the panel never
offers to open a file the server does not serve.
"""

from __future__ import annotations

import os
from typing import Any

from nbvc.core.repo import Repo
from nbvc.core.storage.fsutil import is_within
from nbvc.server.errors import NOT_FOUND, ApiError
from nbvc.server.paths import artifact_path, relative_to
from nbvc.server.service import spec

Json = dict[str, Any]
MAX_CELLS = 500


def artifact_lineage(repo: Repo, server_root: str, artifact: str, ref: str | None) -> Json:
    from nbvc.core.lineage.graph import lineage

    root = lineage(repo, spec(repo, artifact, ref)).to_json()
    _with_paths(root, repo, server_root)
    return {"root": root}


def notebook_lineage(repo: Repo, server_root: str, notebook: str) -> Json:
    """The cells of the notebook's latest kernel session, with the files each read and wrote."""
    from nbvc.core.lineage import lineage_index

    name = os.path.relpath(artifact_path(repo, notebook), repo.root).replace(os.sep, "/")
    repo.reindex(strict=False)
    cells = lineage_index.notebook_cells(repo.index, name, MAX_CELLS)
    return {
        "notebook": name,
        "notebook_path": _served(repo, server_root, name),
        "session": cells[0].session if cells else None,
        "cells": [
            {
                "id": cell.id,
                "label": cell.label,
                "cell_id": cell.cell_id,
                "execution_count": cell.execution_count,
                "started": cell.started,
                "ended": cell.ended,
                "success": cell.success,
                "reads": [access.to_json() for access in cell.reads],
                "writes": [access.to_json() for access in cell.writes],
            }
            for cell in cells
        ],
    }


def lineage_script(repo: Repo, artifact: str, ref: str | None) -> Json:
    from nbvc.core.lineage.script import NoProducerError, script

    try:
        made = script(repo, spec(repo, artifact, ref))
    except NoProducerError as exc:
        raise ApiError(NOT_FOUND, str(exc)) from None
    return {
        "target": made.target,
        "script": made.text,
        "cells": [cell.id for cell in made.cells],
        "inputs": [access.to_json() for access in made.inputs],
        "stages": made.stages,
    }


def _with_paths(node: Json, repo: Repo, server_root: str) -> None:
    if node.get("type") == "cell" and not node.get("missing"):
        node["notebook_path"] = _served(repo, server_root, node.get("notebook"))
    for key in ("producers", "inputs"):
        for child in node.get(key, ()):
            _with_paths(child, repo, server_root)


def _served(repo: Repo, server_root: str, notebook: str | None) -> str | None:
    if not notebook:
        return None
    path = os.path.realpath(os.path.join(repo.root, notebook))
    return relative_to(server_root, path) if is_within(path, server_root) else None
