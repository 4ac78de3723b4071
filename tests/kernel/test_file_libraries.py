"""Files read and written by C extensions and subprocesses, in a real kernel (nbclient).

pandas' C parser, pyarrow's parquet reader and writer, numpy's fromfile and memmap, h5py (the
HDF5 C library) and a `!python train.py` subprocess, each in a cell of its own. The notebook runs
twice: with inotify (the default on Linux), every file is in the cell's lineage record; with the
watcher turned off (``NBVC_LINEAGE_WATCH=0``), the audit hook alone misses what no Python
``open`` did, which shows what the watcher adds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest

from nbvc.core.lineage.cell_record import CellRecord
from nbvc.core.lineage.graph import lineage
from nbvc.core.lineage.lineage_tables import LINEAGE
from nbvc.core.repo import Repo
from nbvc.nbexec import execute_notebook
from tests.kernel.kit import python_on_path

TRAIN = """\
import csv
rows = list(csv.reader(open("data.csv")))
open("model.txt", "w").write(f"{len(rows)} rows\\n")
"""

CELLS: list[tuple[str, str]] = [
    ("setup", "%load_ext nbvc\nimport numpy as np\nimport pandas as pd\nimport h5py"),
    ("pandas-c", "table = pd.read_csv('data.csv', engine='c')"),
    ("parquet-write", "table.to_parquet('table.parquet', engine='pyarrow')"),
    ("parquet-read", "again = pd.read_parquet('table.parquet', engine='pyarrow')"),
    ("fromfile", "raw = np.fromfile('raw.bin', dtype='f8')"),
    ("memmap", "mapped = np.memmap('raw.bin', dtype='f8', mode='r')\ntotal = float(mapped.sum())"),
    (
        "hdf5-write",
        "with h5py.File('store.h5', 'w') as f:\n    f.create_dataset('raw', data=raw)",
    ),
    ("hdf5-read", "with h5py.File('store.h5', 'r') as f:\n    back = f['raw'][:]"),
    ("train", "!python train.py"),
    ("version", "%version_add model.txt"),
]


def make_project(root: Path) -> Path:
    Repo.init(str(root))[0].close()
    (root / "data.csv").write_text("a,b\n1,2\n3,4\n")
    (root / "raw.bin").write_bytes(bytes(range(80)))
    (root / "train.py").write_text(TRAIN)
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    for cell_id, source in CELLS:
        cell = nbformat.v4.new_code_cell(source)  # type: ignore[no-untyped-call]
        cell["id"] = cell_id
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(root / "files.ipynb"))  # type: ignore[no-untyped-call]
    return root


def run(root: Path, ipython: Path, watch: bool) -> dict[str, CellRecord]:
    """Execute the notebook; the lineage records by cell id."""
    env = {
        "PATH": python_on_path(),
        "IPYTHONDIR": str(ipython),
        "NBVC_RUN_ID": "",
        "NBVC_ROOT": "",
        "NBVC_LINEAGE_WATCH": "1" if watch else "0",
    }
    execute_notebook(str(root / "files.ipynb"), env=env, timeout=180)
    with Repo.open(str(root)) as repo:
        cells = [CellRecord.from_record(r) for r in repo.records.iter(LINEAGE)]
    return {c.cell_id: c for c in cells if c.cell_id}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pytest.importorskip("pyarrow")
    pytest.importorskip("h5py")
    ipython = tmp_path_factory.mktemp("ipython")
    watched = make_project(tmp_path_factory.mktemp("watched"))
    audit_only = make_project(tmp_path_factory.mktemp("audit-only"))
    return {
        "root": watched,
        "watched": run(watched, ipython, watch=True),
        "audit_only": run(audit_only, ipython, watch=False),
    }


def paths(cell: CellRecord) -> tuple[list[str], list[str]]:
    return [r.path for r in cell.reads], [w.path for w in cell.writes]


EXPECTED = {
    "pandas-c": (["data.csv"], []),
    "parquet-write": ([], ["table.parquet"]),
    "parquet-read": (["table.parquet"], []),
    "fromfile": (["raw.bin"], []),
    "memmap": (["raw.bin"], []),
    "hdf5-write": ([], ["store.h5"]),
    "hdf5-read": (["store.h5"], []),
    "train": (["data.csv", "train.py"], ["model.txt"]),
}


@pytest.mark.parametrize("cell_id", list(EXPECTED))
def test_every_file_a_cell_touches_is_in_its_record(runs: dict[str, Any], cell_id: str) -> None:
    assert paths(runs["watched"][cell_id]) == EXPECTED[cell_id]


def test_contents_are_named(runs: dict[str, Any]) -> None:
    root = runs["root"]
    with Repo.open(str(root)) as repo:
        version = repo.history.by_number("model.txt", 1)
        (written,) = runs["watched"]["train"].writes
        assert written.oid == version.oid and (root / "model.txt").read_text() == "3 rows\n"
        (read,) = runs["watched"]["parquet-read"].reads
        assert read.oid == runs["watched"]["parquet-write"].writes[0].oid


def test_the_subprocess_cell_is_the_producer_in_the_lineage(
    runs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = runs["root"]
    monkeypatch.chdir(root)
    with Repo.open(str(root)) as repo:
        tree = lineage(repo, "model.txt@v1")
    (producer,) = tree.children
    assert producer.cell is not None and producer.cell.cell_id == "train"
    assert sorted(child.data["path"] for child in producer.children) == ["data.csv", "train.py"]


def test_the_audit_hook_alone_misses_c_libraries_and_subprocesses(runs: dict[str, Any]) -> None:
    """Why the watcher exists: without it only Python-level opens are seen."""
    audit_only = runs["audit_only"]
    assert paths(audit_only["pandas-c"]) == EXPECTED["pandas-c"]  # pandas opens in Python
    assert paths(audit_only["fromfile"]) == EXPECTED["fromfile"]
    for cell_id in ("parquet-write", "parquet-read", "hdf5-write", "hdf5-read", "train"):
        assert paths(audit_only[cell_id]) == ([], []), cell_id


def test_nothing_else_is_taken_for_the_cells_files(runs: dict[str, Any]) -> None:
    """Not the notebook (which Jupyter saves), the pointer file or nbvc's own folder."""
    every = {f.path for cell in runs["watched"].values() for f in (*cell.reads, *cell.writes)}
    assert every == {"data.csv", "table.parquet", "raw.bin", "store.h5", "train.py", "model.txt"}
