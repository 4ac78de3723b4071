"""The remote suite against OpenSSH's sshd (SFTP) on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sshfs import SSHFileSystem

from tests.remote.remote_kit import Backend
from tests.remote.remote_suite import RemoteSuite
from tests.remote.servers import Sshd


class TestSshRemote(RemoteSuite):
    @pytest.fixture
    def backend(self, sshd: Sshd, tmp_path: Path) -> Backend:
        root = str(tmp_path / "store")
        fs = SSHFileSystem(
            "127.0.0.1",
            port=sshd.port,
            username=sshd.user,
            client_keys=[sshd.client_key],
            known_hosts=sshd.known_hosts,
        )
        return Backend(url=sshd.url(root), fs=fs, root=root, options=sshd.options)
