"""The DVC example project is built once per session with the real `dvc` (about 15 s); each test
works on its own copy (a few milliseconds), so tests never see each other's changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dvc.kit import DvcProject, build_example
from tests.remote.conftest import moto_endpoint, sshd

__all__ = ["example", "moto_endpoint", "project", "sshd"]


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> DvcProject:
    home = tmp_path_factory.mktemp("dvc-example")
    return build_example(home / "project", home)


@pytest.fixture
def project(example: DvcProject, tmp_path: Path) -> DvcProject:
    """A private copy of the example project (its DVC remote included)."""
    return example.copy(tmp_path)
