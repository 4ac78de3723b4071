"""``demos/cli_quickstart.sh`` (``make demo-cli``): the command-line tour keeps working."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.demos.conftest import DEMOS
from tests.kernel.kit import python_on_path


def test_the_cli_tour_runs_in_a_throwaway_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(DEMOS / "cli_quickstart.sh")],
        env={**os.environ, "PATH": python_on_path(), "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "model.bin: restored v1" in out and "model.bin: restored v2" in out
    assert "all intact" in out
    (folder,) = tmp_path.iterdir()  # the tour's repo, under TMPDIR
    assert out.rstrip().endswith(f"the demo repo is in {folder}")
