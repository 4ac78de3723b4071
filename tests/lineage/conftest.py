from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nbvc.core.repo import Repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    monkeypatch.chdir(tmp_path)
    created, _ = Repo.init(str(tmp_path))
    with created:
        yield created
