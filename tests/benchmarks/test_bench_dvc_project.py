"""The DVC-project benchmark runs end to end at a tiny scale, beside the real `dvc`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_dvc_project.py"


def test_tiny_dvc_project_gets_every_figure() -> None:
    dvc = os.path.join(os.path.dirname(sys.executable), "dvc")
    tiny = ["--stages", "2", "--files", "20", "--repeat", "1", "--dvc", dvc]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *tiny],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])  # printed whatever the targets
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert summary["scenario"] == "dvc_project" and summary["stages"] == 2
    for key in ("first_nbvc_s", "noop_nbvc_s", "noop_dvc_s", "dvc_status_s"):
        assert len(summary[key]) == 1 and summary[key][0] > 0
    assert "first nbvc repro (adopts dvc.lock)" in done.stdout
