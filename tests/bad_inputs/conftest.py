"""The REST half of the corpus runs against an in-process jupyter server, as tests/server does
(pytest-jupyter's fixtures are imported here, not in the root conftest: see tests/server)."""

from __future__ import annotations

from pytest_jupyter.jupyter_server import *  # noqa: F403

from tests.server.conftest import _author, api, jp_server_config

__all__ = ["_author", "api", "jp_server_config"]
