from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

import nbvc
from nbvc.core.repo import Repo
from tests.kernel.kit import Kernel


@pytest.fixture(scope="session")
def ipython(tmp_path_factory: pytest.TempPathFactory) -> InteractiveShell:
    os.environ["IPYTHONDIR"] = str(tmp_path_factory.mktemp("ipython"))
    shell: InteractiveShell = InteractiveShell.instance()
    return shell


@pytest.fixture
def repo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An nbvc repo as the current folder; no run or notebook from the environment."""
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE", "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    Repo.init(str(tmp_path))
    return tmp_path


@pytest.fixture
def kernel(ipython: InteractiveShell, repo_dir: Path) -> Iterator[Kernel]:
    from nbvc.core.runs import logging as runlog

    ipython.user_ns["Path"] = Path  # for cells, without a cell that imports it
    assert ipython.history_manager is not None
    ipython.history_manager.reset()  # earlier tests' cells are not this session's
    nbvc.load_ipython_extension(ipython)
    try:
        yield Kernel(ipython, repo_dir)
    finally:
        runlog.end_run()
        nbvc.unload_ipython_extension(ipython)
        os.chdir(repo_dir)
