"""The tracking benchmark runs end to end at a tiny scale, beside the real MLflow."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_tracking.py"


@pytest.mark.slow
def test_every_scenario_reports_figures(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--metrics", "50", "--runs", "30", "--model-mib", "1",
         "--repeat", "1", "--skip", "autolog", "--no-sqlite"],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(done.stdout)
    logging = doc["log_metric x50"]
    assert set(logging) == {"nbvc", "mlflow file store", "imports"}
    assert set(logging["imports"]) == {"nbvc", "mlflow file store"}
    assert all(result["median"] > 0 for result in logging["imports"].values())
    assert all(logging[tool]["median"] > 0 for tool in ("nbvc", "mlflow file store"))
    assert doc["runs --filter"]["runs"] == 30 and doc["runs --filter"]["engine"]["median"] > 0
    assert doc["load_model"]["ratio"] > 0 and doc["load_model"]["size_mib"] >= 1
