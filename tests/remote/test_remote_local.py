"""The remote suite against a local folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from fsspec.implementations.local import LocalFileSystem

from tests.remote.remote_kit import Backend
from tests.remote.remote_suite import RemoteSuite


class TestLocalFolderRemote(RemoteSuite):
    @pytest.fixture
    def backend(self, tmp_path: Path) -> Backend:
        root = str(tmp_path / "store")
        return Backend(url=root, fs=LocalFileSystem(), root=root)
