"""The file-tracing benchmark runs end to end, and its coverage table says what it should."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_file_tracing.py"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify and fanotify are Linux's")
def test_inotify_sees_every_case_and_the_audit_hook_does_not(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    pytest.importorskip("h5py")
    done = subprocess.run(
        [
            sys.executable, str(SCRIPT), "--cells", "200", "--idle-seconds", "0.1",
            "--tree-folders", "10", "--tree-files", "10", "--json",
        ],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    inotify = results["inotify on the repo's folders (nbvc)"]
    assert all(inotify["coverage"].values()), inotify["coverage"]
    assert inotify["empty_cell_us"] > 0 and inotify["tree_setup_ms"] > 0
    audit = results["audit hook (Python open)"]["coverage"]
    assert not audit["pyarrow parquet write"] and not audit["subprocess writes a file"]
    assert audit["pandas read_csv (C engine)"]  # pandas opens the file in Python
