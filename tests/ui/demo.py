"""The projects the browser tests open: a small one made by a real notebook, and a big one.

The small project is what a user has after running ``train.ipynb`` (in a real kernel, through
nbclient): ``data/raw.csv`` (v1, tagged ``base``), ``model.txt`` (v1, then v2, each written by a
cell), two runs with different params and metrics (accuracy 0.5, then 0.75), and a pipeline
stage (``evaluate``) that has not run yet, and a remote (a local folder) to push to.

The big one has 1,000 tracked files and 2,000 runs, made through the engine API in seconds.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import nbformat

from nbvc.core.remote import remote_config
from nbvc.core.repo import Repo
from nbvc.core.runs.run_index import RunIndex
from nbvc.core.runs.run_record import RunRecord
from nbvc.core.runs.run_tables import RUNS
from nbvc.core.storage.record_store import new_id
from nbvc.nbexec import execute_notebook

CELLS: list[tuple[str, str]] = [
    ("setup", "%load_ext nbvc"),
    ("imports", "import nbvc\nfrom pathlib import Path"),
    (
        "write-data",
        "Path('data').mkdir(exist_ok=True)\n"
        "Path('data/raw.csv').write_text('x\\n' + '\\n'.join(str(i) for i in range(20)) + '\\n')",
    ),
    ("version-data", '%version_add data/raw.csv -m "raw data" -t base'),
    (
        "train",
        "rows = [int(v) for v in Path('data/raw.csv').read_text().split()[1:]]\n"
        "scale = 1.0\n"
        "nbvc.log_params({'scale': scale, 'rows': len(rows)})\n"
        "for step in range(4):\n"
        "    nbvc.log_metric('loss', round(1.0 / (step + 1) / scale, 4), step)\n"
        "nbvc.log_metric('accuracy', scale / 2)\n"
        "Path('model.txt').write_text(f'model scale={scale} mean={sum(rows) / len(rows)}\\n')",
    ),
    ("version-model", '%version_add model.txt -m "first model"'),
    (
        "retrain",
        "second = nbvc.start_run()\n"
        "scale = 1.5\n"
        "nbvc.log_params({'scale': scale, 'rows': len(rows)})\n"
        "for step in range(4):\n"
        "    nbvc.log_metric('loss', round(1.0 / (step + 1) / scale, 4), step)\n"
        "nbvc.log_metric('accuracy', scale / 2)\n"
        "Path('model.txt').write_text(f'model scale={scale} mean={sum(rows) / len(rows)}\\n')",
    ),
    ("version-model-2", '%version_add model.txt -m "retrained, larger scale" -t best'),
    ("finish", "nbvc.end_run()"),
]

PIPELINE = """\
stages:
  evaluate:
    cmd: python evaluate.py
    deps: [evaluate.py, model.txt]
    outs: [report.txt]
    metrics:
      - eval.json: {cache: false}
"""

EVALUATE = """\
import json, time
text = open("model.txt").read()
print("evaluating", text.strip())
time.sleep(2.0)
json.dump({"score": len(text)}, open("eval.json", "w"))
open("report.txt", "w").write("score %d\\n" % len(text))
print("done")
"""

MODEL_V1 = "model scale=1.0 mean=9.5\n"


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> None:
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    for cell_id, source in cells:
        cell = nbformat.v4.new_code_cell(source)  # type: ignore[no-untyped-call]
        cell["id"] = cell_id
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))  # type: ignore[no-untyped-call]


def make_small(root: Path, env: dict[str, str], store: Path) -> None:
    """Run ``train.ipynb`` in a real kernel in a new repo at ``root``; add the pipeline and a
    default remote in the folder ``store``."""
    with Repo.init(str(root))[0] as repo:
        remote_config.add(repo, "store", str(store), default=True)
    write_notebook(root / "train.ipynb", CELLS)
    execute_notebook(str(root / "train.ipynb"), env=env, timeout=180)
    (root / "evaluate.py").write_text(EVALUATE)
    (root / "nbvc.yaml").write_text(PIPELINE)


def run_in_kernel(root: Path, name: str, cells: list[tuple[str, str]], env: dict[str, str]) -> None:
    """Write and execute another notebook (as a user running it in JupyterLab would)."""
    write_notebook(root / name, cells)
    execute_notebook(str(root / name), env=env, timeout=180)


def make_big(root: Path, artifacts: int = 1000, runs: int = 2000) -> None:
    """``artifacts`` tracked files (one add) and ``runs`` runs with params, metrics, series."""
    repo, _ = Repo.init(str(root))
    with repo:
        folder = root / "files"
        folder.mkdir()
        paths = []
        for i in range(artifacts):
            path = folder / f"part-{i:04d}.csv"
            path.write_text(f"id,value\n{i},{i * i}\n")
            paths.append(str(path))
        repo.add(paths, message="bulk import")
        rng = random.Random(7)
        start = time.time() - runs * 60
        index = RunIndex(repo)
        records = []
        for i in range(runs):
            lr = rng.choice([0.001, 0.01, 0.1])
            acc = round(rng.random(), 4)
            records.append(
                {
                    "id": new_id(),
                    "source": "python",
                    "status": "completed" if i % 17 else "failed",
                    "started": start + i * 60,
                    "ended": start + i * 60 + 30,
                    "duration": 30.0,
                    "env": {"git": None, "host": "bench", "python": "3.11"},
                    "params": {"logged": {"lr": lr, "epochs": 1 + i % 5}},
                    "metrics": {"logged": {"accuracy": acc, "loss": round(1 - acc, 4)}},
                    "series": {"loss": [[s, round(1 / (s + 1), 4), start] for s in range(5)]},
                    "stages": {},
                }
            )
        for record in records:
            written = repo.records.write(RUNS, record)
            index.add(RunRecord.from_record(written))
