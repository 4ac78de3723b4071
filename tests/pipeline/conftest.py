from __future__ import annotations

from pathlib import Path

import pytest

from pipeline_kit import Project, make_project, python_on_path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """An empty nbvc repo as the current folder, with this Python first on PATH."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", python_on_path())
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE"):
        monkeypatch.delenv(name, raising=False)
    return make_project(tmp_path)
