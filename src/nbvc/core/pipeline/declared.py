"""The models and datasets a pipeline file declares (DVC's top-level ``artifacts:``), with
what nbvc knows of each: its latest version and whether it is in the workspace."""

from __future__ import annotations

import os
from typing import Any

from nbvc.core.errors import NoPipelineError
from nbvc.core.pipeline.loader import load_pipeline
from nbvc.core.repo import Repo


def declared_artifacts(repo: Repo, kind: str | None = None) -> list[dict[str, Any]]:
    """Each declared artifact (only those of type ``kind``, e.g. ``model``, if given)."""
    try:
        pipeline = load_pipeline(repo.root, check_workspace=False)
    except NoPipelineError:
        return []
    found = []
    for artifact in pipeline.artifacts:
        if kind is not None and artifact.type != kind:
            continue
        latest = repo.history.latest(artifact.path)
        found.append(
            {
                **artifact.to_json(),
                "exists": os.path.lexists(repo.abspath(artifact.path)),
                "version": latest.name if latest else None,
                "versions": len(repo.history.versions(artifact.path)),
            }
        )
    return found
