"""Real notebooks in a real kernel (nbclient), executed the way JupyterLab executes them:
each execute request carries the cell's id, and the kernel knows its notebook's path.

The notebook writes a data sample, versions it, trains a scikit-learn model on the iris data
scikit-learn bundles, logs params and metrics, runs a pipeline stage with `%repro`, and compares
two runs. It is executed twice, the second time on fewer rows, so that a cell reads a different
version of its input than the time before.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from nbvc.core.lineage.cell_record import CellRecord
from nbvc.core.lineage.lineage_tables import LINEAGE
from nbvc.core.lineage.script import script
from nbvc.core.repo import Repo
from nbvc.nbexec import execute_notebook
from tests.kernel.kit import python_on_path

CELLS: list[tuple[str, str]] = [
    ("setup", "%load_ext nbvc"),
    ("params", "N_ROWS = 150\nC = 1.0"),
    (
        "imports",
        "import csv, pickle, warnings\nfrom pathlib import Path\nimport nbvc\n"
        "from sklearn.datasets import load_iris\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.metrics import log_loss",
    ),
    (
        "write-data",
        "X, y = load_iris(return_X_y=True)\nPath('data').mkdir(exist_ok=True)\n"
        "with open('data/iris.csv', 'w', newline='') as f:\n"
        "    writer = csv.writer(f)\n"
        "    for row, label in list(zip(X.tolist(), y.tolist()))[:N_ROWS]:\n"
        "        writer.writerow([*row, label])",
    ),
    ("version-data", '%version_add data/iris.csv -m "iris sample"'),
    (
        "read-data",
        "with open('data/iris.csv') as f:\n"
        "    rows = [[float(v) for v in r] for r in csv.reader(f)]\n"
        "features = [r[:4] for r in rows]\nlabels = [int(r[4]) for r in rows]",
    ),
    ("look", "print(len(rows), 'rows')"),
    (
        "train",
        "model = LogisticRegression(C=C, max_iter=500).fit(features, labels)\n"
        "nbvc.log_params({'C': C, 'rows': len(rows)})\n"
        "with warnings.catch_warnings():\n"
        "    warnings.simplefilter('ignore')\n"
        "    for step, iterations in enumerate([2, 10, 100]):\n"
        "        partial = LogisticRegression(C=C, max_iter=iterations).fit(features, labels)\n"
        "        nbvc.log_metric('loss', log_loss(labels, partial.predict_proba(features)), step)\n"
        "nbvc.log_metric('accuracy', model.score(features, labels))",
    ),
    ("save-model", "with open('model.pkl', 'wb') as f:\n    pickle.dump(model, f)"),
    ("version-model", '%version_add model.pkl -m "logistic regression"'),
    (
        "write-stage",
        "%%writefile evaluate.py\nimport csv, json, pickle\n"
        "model = pickle.load(open('model.pkl', 'rb'))\n"
        "rows = [[float(v) for v in r] for r in csv.reader(open('data/iris.csv'))]\n"
        "acc = model.score([r[:4] for r in rows], [int(r[4]) for r in rows])\n"
        "json.dump({'accuracy': acc}, open('eval.json', 'w'))\n"
        "open('report.txt', 'w').write(f'accuracy {acc:.4f}\\n')",
    ),
    (
        "write-pipeline",
        "Path('nbvc.yaml').write_text('''stages:\n  evaluate:\n    cmd: python evaluate.py\n"
        "    deps: [evaluate.py, model.pkl, data/iris.csv]\n    outs: [report.txt]\n"
        "    metrics:\n      - eval.json: {cache: false}\n''')",
    ),
    ("repro", "%repro"),
    (
        "second-run",
        "first_run = nbvc.active_run().id\nsecond_run = nbvc.start_run().id\n"
        "weak = LogisticRegression(C=C / 100, max_iter=500).fit(features, labels)\n"
        "nbvc.log_params({'C': C / 100, 'rows': len(rows)})\n"
        "nbvc.log_metric('accuracy', weak.score(features, labels))",
    ),
    ("compare", "%metrics_diff {first_run} {second_run}"),
    ("params-diff", "%params_diff {first_run} {second_run}"),
    ("runs", "%runs"),
    ("plot", "%runs --plot loss"),
    # magics generated from the verb table run the CLI verbs with the CLI's options
    ("tag", "%version_tag model.pkl@v1 prod"),
    ("gc", "%version_gc --dry-run"),
    ("fsck", "%version_fsck --json"),
    ("du", "%nbvc du data/iris.csv"),
    ("log", "%version_log data/iris.csv"),
]


def write_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    for cell_id, source in CELLS:
        cell = nbformat.v4.new_code_cell(source)  # type: ignore[no-untyped-call]
        cell["id"] = cell_id
        if cell_id == "params":
            cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))  # type: ignore[no-untyped-call]


def outputs(nb: Any, cell_id: str) -> list[dict[str, Any]]:
    (cell,) = [c for c in nb.cells if c.get("id") == cell_id]
    return list(cell.outputs)


def rich(nb: Any, cell_id: str) -> dict[str, Any]:
    (result,) = [o for o in outputs(nb, cell_id) if o["output_type"] == "execute_result"]
    return dict(result["data"])


def stderr(nb: Any, cell_id: str) -> str:
    return "".join(o["text"] for o in outputs(nb, cell_id) if o.get("name") == "stderr")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("notebook-project")
    Repo.init(str(root))
    write_notebook(root / "analysis.ipynb")
    env = {
        "PATH": python_on_path(),
        "IPYTHONDIR": str(tmp_path_factory.mktemp("ipython")),
        "NBVC_RUN_ID": "",
        "NBVC_ROOT": "",
    }
    first = execute_notebook(str(root / "analysis.ipynb"), env=env, timeout=300)
    with Repo.open(str(root)) as repo:
        after_first = {r["id"] for r in repo.records.iter(LINEAGE)}
    second = execute_notebook(
        str(root / "analysis.ipynb"), env=env, timeout=300, parameters={"N_ROWS": 100}
    )
    yield {"root": root, "first": first, "second": second, "first_ids": after_first}


def cells_of(root: Path, ids: set[str] | None = None) -> dict[str, CellRecord]:
    """Lineage records by cell id (of the first execution if ``ids`` is given, else the last)."""
    with Repo.open(str(root)) as repo:
        runs = sorted(
            (CellRecord.from_record(r) for r in repo.records.iter(LINEAGE)), key=lambda c: c.started
        )
    return {c.cell_id: c for c in runs if c.cell_id and (ids is None or c.id in ids)}


def test_each_cell_is_recorded_with_its_notebook_id_and_count(project: dict[str, Any]) -> None:
    cells = cells_of(project["root"], project["first_ids"])
    # every cell, the one that loads the extension included
    assert list(cells) == [cell_id for cell_id, _ in CELLS]
    assert {c.notebook for c in cells.values()} == {"analysis.ipynb"}
    counts = [c.execution_count for c in cells.values()]
    assert counts == list(range(1, len(CELLS) + 1))
    assert len({c.session for c in cells.values()}) == 1
    later = cells_of(project["root"])
    assert later["injected-parameters"].session != cells["params"].session


def test_files_read_and_written_and_versions(project: dict[str, Any]) -> None:
    cells = cells_of(project["root"], project["first_ids"])
    with Repo.open(str(project["root"])) as repo:
        data = repo.history.by_number("data/iris.csv", 1)
        model = repo.history.by_number("model.pkl", 1)
        report = repo.history.by_number("report.txt", 1)
    (written,) = cells["write-data"].writes
    assert (written.path, written.oid) == ("data/iris.csv", data.oid)
    (read,) = cells["read-data"].reads
    assert (read.path, read.oid, read.artifact, read.version) == (
        "data/iris.csv",
        data.oid,
        "data/iris.csv",
        1,
    )
    assert [w.path for w in cells["save-model"].writes] == ["model.pkl"]
    assert data.producer == f"cell:{cells['write-data'].id}"
    assert model.producer == f"cell:{cells['save-model'].id}"
    assert report.producer is not None and report.producer.startswith("stage:evaluate@")
    assert cells["repro"].writes == () and cells["look"].reads == cells["look"].writes == ()
    assert [w.path for w in cells["write-stage"].writes] == ["evaluate.py"]
    first_run, second_run = cells["train"].run, cells["second-run"].run
    assert first_run is not None and second_run is not None and first_run != second_run
    with Repo.open(str(project["root"])) as repo:
        record = repo.records.read("runs", first_run)
    assert record["source"] == "notebook" and record["notebook"] == "analysis.ipynb"
    assert record["params"]["logged"] == {"C": 1.0, "rows": 150}


def test_rendered_outputs(project: dict[str, Any]) -> None:
    nb = project["first"]
    added = rich(nb, "version-model")
    assert "<table" in added["text/html"] and "model.pkl" in added["text/html"]
    assert "model.pkl  v1" in added["text/plain"] and "| model.pkl | v1 |" in added["text/markdown"]
    repro = rich(nb, "repro")
    assert (
        "nbvc repro: 1 ran" in repro["text/plain"] and 'class="nbvc-good">ran' in repro["text/html"]
    )
    printed = "".join(o.get("text", "") for o in outputs(nb, "repro"))
    assert "Running stage 'evaluate'" in printed and "> python evaluate.py" in printed
    compare = rich(nb, "compare")
    assert "accuracy" in compare["text/plain"] and 'class="nbvc-bad"' in compare["text/html"]
    assert "| logged | C | 1 | 0.01 |" in rich(nb, "params-diff")["text/markdown"]
    runs = rich(nb, "runs")
    assert "analysis.ipynb" in runs["text/plain"] and "<script>" in runs["text/html"]
    plot = rich(nb, "plot")
    spec = plot["application/vnd.vegalite.v5+json"]
    assert spec["title"] == "loss" and len(spec["data"]["values"]) == 3
    assert "loss" in plot["text/plain"] and "(3 steps)" in plot["text/plain"]
    assert "image/png" in plot  # for nbviewer and GitHub, which do not run Vega


def test_generated_magics_run_the_cli_verbs(project: dict[str, Any]) -> None:
    first, second = project["first"], project["second"]
    assert rich(first, "tag")["text/plain"].endswith("model.pkl: tag prod -> v1")
    assert (
        "moved from v1" in rich(second, "tag")["text/plain"]
        or "already" in rich(second, "tag")["text/plain"]
    )
    assert "would remove 0 objects (0 B)" in rich(first, "gc")["text/plain"]
    fsck = rich(first, "fsck")["text/plain"]
    assert json.loads(fsck.split("\n", 2)[2])["ok"] is True
    du = rich(first, "du")["text/plain"].splitlines()
    assert du[2].split()[:1] == ["artifact"] and du[3].split()[:2] == ["data/iris.csv", "1"]
    # the log names the cell that wrote the data as people find it in the notebook
    log = rich(second, "log")["text/plain"]
    count = CELLS.index(("write-data", CELLS[3][1])) + 1
    assert f"analysis.ipynb, cell [{count}]" in log and "cell:" not in log


def test_stale_input_warning_on_the_second_execution(project: dict[str, Any]) -> None:
    assert "stale" not in stderr(project["first"], "read-data")
    warning = stderr(project["second"], "read-data")
    assert "nbvc: stale input: data/iris.csv is v2 now; this cell read v1 last time" in warning
    assert "stale" not in stderr(project["second"], "write-data")


def test_lineage_of_the_pipeline_output(project: dict[str, Any]) -> None:
    root = project["root"]
    out = subprocess.run(
        [sys.executable, "-m", "nbvc.cli.main", "lineage", "report.txt@v1"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.splitlines()[1].startswith("└── stage evaluate")
    assert "model.pkl@v1" in out and "analysis.ipynb cell save-model [" in out
    assert "analysis.ipynb cell train [" in out and "(via model)" in out
    assert "data/iris.csv@v1" in out and "analysis.ipynb cell write-data [" in out


def test_the_reproduced_script_rebuilds_the_model(
    project: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = project["root"]
    monkeypatch.chdir(root)
    with Repo.open(str(root)) as repo:
        made = script(repo, "model.pkl@v1")
        v1 = repo.history.by_number("model.pkl", 1)
        expected = repo.odb.read_bytes(v1.oid)
    sources = [c.cell_id for c in made.cells]
    assert sources == ["params", "imports", "write-data", "read-data", "train", "save-model"]
    assert "%version_add" not in made.text and "print(len(rows)" not in made.text
    replay = tmp_path_factory.mktemp("replay") / "repo"
    shutil.copytree(root, replay)
    (replay / "replay.py").write_text(made.text)
    env = {**os.environ, "NBVC_RUN_ID": "", "NBVC_ROOT": ""}
    subprocess.run([sys.executable, "replay.py"], cwd=replay, check=True, env=env)
    assert (replay / "model.pkl").read_bytes() == expected
    assert (replay / "model.pkl").read_bytes() != (root / "model.pkl").read_bytes()  # now v2
