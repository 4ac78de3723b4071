"""Kill -9 at random moments of add, push, pull (fetch) and gc of chunked files.

A few trials of each run in CI (about a second each); ``NBVC_KILL_TRIALS=200`` runs that many of
each (see tests/chunk_kills.py for what every trial checks).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.chunk_kills import TRIALS, run_trials

COUNT = int(os.environ.get("NBVC_KILL_TRIALS", "1"))


@pytest.mark.parametrize("kind", sorted(TRIALS))
def test_a_killed_command_never_leaves_a_version_with_a_missing_or_damaged_chunk(
    kind: str, tmp_path: Path
) -> None:
    run_trials(kind, tmp_path, COUNT, seed=int(os.environ.get("NBVC_KILL_SEED", "0")))
