"""Moving into a DVC project: `nbvc repro` there works before `nbvc init` was ever run."""

from __future__ import annotations

import os

from nbvc.core.errors import NotARepoError
from nbvc.core.pipeline.dvc_config import find_dvc_root
from nbvc.core.repo import Repo


def find_or_adopt(start: str | None = None) -> tuple[Repo, bool]:
    """The nbvc repo containing ``start``; inside a DVC project that has none, one is created at
    the DVC project's root (only `.nbvc/` is added). Returns ``(repo, created)``."""
    try:
        return Repo.find(start), False
    except NotARepoError:
        root = find_dvc_root(start or os.getcwd())
        if root is None:
            raise
        repo, created = Repo.init(root)
        return repo, created
