"""Fixtures of the experiments tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.experiments.kit import exp_project
from tests.pipeline.kit import Project, project, python_on_path
from tests.remote.conftest import moto_endpoint

__all__ = ["moto_endpoint", "project"]


@pytest.fixture
def exp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The experiments project as the current folder."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("PATH", python_on_path())
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE"):
        monkeypatch.delenv(name, raising=False)
    return exp_project(root)
