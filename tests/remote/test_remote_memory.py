"""The remote suite against fsspec's in-memory filesystem."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fsspec.implementations.memory import MemoryFileSystem

from tests.remote.remote_kit import Backend
from tests.remote.remote_suite import RemoteSuite


class TestMemoryRemote(RemoteSuite):
    @pytest.fixture
    def backend(self) -> Iterator[Backend]:
        root = f"/nbvc-tests-{uuid.uuid4().hex}"
        fs = MemoryFileSystem()
        yield Backend(url=f"memory://{root}", fs=fs, root=root, object_store=True, subprocess=False)
        if fs.exists(root):
            fs.rm(root, recursive=True)
