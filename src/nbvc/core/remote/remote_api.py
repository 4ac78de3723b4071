"""``repo.remote``: the configured remotes, and how the workspace compares with one.

Moving data is :meth:`Repo.push`, :meth:`Repo.fetch` and :meth:`Repo.pull`; collecting garbage on
a remote is :meth:`Repo.gc_remote` (it needs every layer's idea of what is alive).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nbvc.core.remote import remote_config
from nbvc.core.remote.remote_config import RemoteConfig
from nbvc.core.remote.remote_status import RemoteStatus, remote_status
from nbvc.core.repo import Repo


class Remotes:
    def __init__(self, repo: Repo) -> None:
        self._repo = repo

    def configured(self) -> dict[str, RemoteConfig]:
        """Every remote, by name (``.nbvc/config`` and ``.nbvc/config.local``)."""
        return remote_config.remotes(self._repo)

    def add(
        self,
        name: str,
        url: str,
        options: dict[str, Any] | None = None,
        default: bool = False,
        local: bool = False,
    ) -> RemoteConfig:
        """Add (or replace) a remote (in ``.nbvc/config.local`` if ``local``)."""
        return remote_config.add(self._repo, name, url, options, default, local)

    def remove(self, name: str) -> None:
        remote_config.remove(self._repo, name)

    def set_default(self, name: str, local: bool = False) -> RemoteConfig:
        return remote_config.set_default(self._repo, name, local)

    @staticmethod
    def parse_option(text: str) -> tuple[str, Any]:
        """``KEY=VALUE`` as typed on the command line -> the option and its typed value."""
        return remote_config.parse_option(text)

    def status(self, paths: Sequence[str] = (), remote: str | None = None) -> RemoteStatus:
        """Which artifacts (default: all tracked) and records the remote has, and lacks."""
        return remote_status(self._repo, paths, remote)
