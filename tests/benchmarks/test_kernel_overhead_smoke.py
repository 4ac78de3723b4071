"""The kernel-overhead benchmark runs end to end at a tiny scale, in a kernel and in-process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_kernel_overhead.py"


@pytest.mark.parametrize("where", ["ipykernel", "in-process IPython shell"])
def test_every_cell_is_timed_and_recorded(where: str, tmp_path: Path) -> None:
    flags = ["--in-process"] if where.startswith("in-process") else []
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--cells", "8", "--blocks", "2", "--json", *flags],
        capture_output=True, text=True, timeout=180, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(done.stdout)
    assert doc["where"] == where
    for case in ("trivial cell", "cell reading a file"):
        result = doc["results"][case]
        assert result["median_off_us"] > 0 and result["median_on_us"] > 0, result
    # with nbvc on: 2 blocks x (20 warm-up + 4 timed) trivial cells and (20 + 1) file cells,
    # each recorded, plus the %unload_ext cells in a kernel
    assert doc["lineage_records"] >= 2 * (24 + 21), doc
