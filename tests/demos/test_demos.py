"""The demo notebooks, executed in a real kernel through ``nbvc.nbexec`` (cell ids and session
name sent as JupyterLab sends them), each in a temporary copy with the network unreachable.

A failing cell fails the test (``execute_notebook`` raises with the cell's traceback); the tests
then check what each demo promises its reader, in its outputs and in the workspace it made.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import nbformat
import pytest

from nbvc.core.lineage.cell_record import CellRecord
from nbvc.core.lineage.lineage_tables import LINEAGE
from nbvc.core.lineage.script import script
from nbvc.core.repo import Repo
from nbvc.core.runs.run_tables import RUNS
from nbvc.core.storage.hashing import hash_path
from tests.demos.conftest import DEMOS, NOTEBOOKS, Executed
from tests.kernel.kit import python_on_path

Demo = Callable[[str], Executed]


def test_the_three_demos_are_there() -> None:
    assert NOTEBOOKS == ["lineage.ipynb", "pipeline.ipynb", "quickstart.ipynb"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebooks_are_valid_with_outputs_cleared(name: str) -> None:
    nb = nbformat.read(DEMOS / name, as_version=4)  # type: ignore[no-untyped-call]
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    ids = [cell["id"] for cell in nb.cells]
    assert len(set(ids)) == len(ids)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert code[0]["id"] == "setup" and "%load_ext nbvc" in code[0].source
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


# -- quickstart ------------------------------------------------------------------------------


def test_quickstart_restores_the_first_model(demo: Demo) -> None:
    run = demo("quickstart.ipynb")
    assert "model.pkl: restored v1 (1 written, 0 removed)" in run.text("checkout")
    checked = run.text("check-restored")
    assert "model.pkl is the first model again" in checked
    with Repo.open(str(run.workspace)) as repo:
        v1, v2 = repo.history.by_number("model.pkl", 1), repo.history.by_number("model.pkl", 2)
        assert v1.oid != v2.oid and v1.tags == ("first",)
        assert (run.workspace / "model.pkl").read_bytes() == repo.odb.read_bytes(v1.oid)
        states = {s.artifact: (s.version, s.state) for s in repo.status()}
    assert states == {"data": (2, "unchanged"), "model.pkl": (1, "unchanged")}
    status = run.text("status")
    assert "model.pkl  v1       unchanged" in status and "data       v2" in status


def test_quickstart_compares_the_two_runs(demo: Demo) -> None:
    run = demo("quickstart.ipynb")
    first, second = run.text("train-first"), run.text("train-second")
    assert "trained on 20 rows" in first and "trained on 118 rows" in second
    stale = "cell train-first [5] is stale: it read data/train.csv (as in data@v1), which cell "
    assert f"nbvc: {stale}more-data [7] rewrote" in run.text("more-data")
    diff = run.data("metrics-diff")
    assert "accuracy" in diff["text/plain"] and "log_loss" in diff["text/plain"]
    # more data: accuracy up and log loss down, both shown as improvements
    assert diff["text/html"].count('class="nbvc-good"') == 4
    assert 'class="nbvc-bad"' not in diff["text/html"]
    assert "| logged | train_rows | 20 | 118 |" in run.data("params-diff")["text/markdown"]
    with Repo.open(str(run.workspace)) as repo:
        runs = [repo.records.read(RUNS, i) for i in repo.records.ids(RUNS)]
    assert sorted(r["params"]["logged"]["train_rows"] for r in runs) == [20, 118]
    assert {r["notebook"] for r in runs} == {str(run.folder / "quickstart.ipynb")}


def test_quickstart_versions_record_the_cells_that_made_them(demo: Demo) -> None:
    run = demo("quickstart.ipynb")
    with Repo.open(str(run.workspace)) as repo:
        cells = {r["id"]: CellRecord.from_record(r) for r in repo.records.iter(LINEAGE)}
        producer = repo.history.by_number("model.pkl", 2).producer
    assert producer is not None and producer.startswith("cell:")
    assert cells[producer.removeprefix("cell:")].cell_id == "train-second"  # JupyterLab's id
    assert "[cell 23 check-restored]" in run.printed  # nbexec streams the cells as they finish


def test_quickstart_script_rebuilds_the_first_model(
    demo: Demo, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The setup cell (imports and magics, run before the repo existed) is in the script."""
    run = demo("quickstart.ipynb")
    monkeypatch.chdir(run.workspace)
    with Repo.open(str(run.workspace)) as repo:
        made = script(repo, "model.pkl@v1")
        v1 = repo.history.by_number("model.pkl", 1)
    assert [c.cell_id for c in made.cells] == ["setup", "data", "train-function", "train-first"]
    assert "\nimport os\n" in made.text and "%load_ext" not in made.text.replace("# ", "")
    replay = tmp_path_factory.mktemp("quickstart-replay")
    Repo.init(str(replay))[0].close()  # the script logs a run: it runs in an nbvc repo
    (replay / "rebuild.py").write_text(made.text)
    env = {"PATH": python_on_path(), "NBVC_RUN_ID": "", "NBVC_ROOT": "", "HOME": str(replay)}
    subprocess.run([sys.executable, "rebuild.py"], cwd=replay, env=env, check=True, timeout=120)
    assert hash_path(str(replay / "model.pkl")) == v1.oid


# -- pipeline --------------------------------------------------------------------------------


def test_pipeline_reruns_only_what_changed(demo: Demo) -> None:
    run = demo("pipeline.ipynb")
    assert "nbvc repro: 3 ran" in run.text("repro-first")
    dry = run.text("repro-dry")
    assert "1 skipped, 2 would run" in dry and "nothing was changed" in dry
    second = run.text("repro-second")
    assert "nbvc repro: 1 skipped, 2 ran" in second
    assert "Running stage 'prepare'" not in second
    assert "param train.learning_rate changed (0.3 -> 0.05)" in second
    back = run.text("repro-back")
    assert "nbvc repro: 1 skipped, 2 restored" in back and "> python" not in back


def test_pipeline_compares_runs_with_a_chart(demo: Demo) -> None:
    run = demo("pipeline.ipynb")
    params = run.data("params-diff")["text/markdown"]
    assert "| params.yaml | train.learning_rate | 0.3 | 0.05 |" in params
    runs = run.data("runs")["text/plain"]
    assert runs.count(" repro ") == 2 and "rmse" in runs and "r2" in runs
    chart = run.data("plot")
    spec = chart["application/vnd.vegalite.v5+json"]
    assert spec["title"] == "test_rmse"
    assert len({v["run"] for v in spec["data"]["values"]}) == 2
    assert "image/png" in chart and "(100 steps)" in chart["text/plain"]
    metrics = json.loads((run.workspace / "metrics.json").read_text())
    first_rmse = float(run.text("repro-first").split("rmse ")[1].split(",")[0])
    assert round(metrics["rmse"], 1) == first_rmse  # back at 0.3: the first run's outputs


def test_pipeline_outputs_are_versions_made_by_stages(demo: Demo) -> None:
    run = demo("pipeline.ipynb")
    assert (run.workspace / "nbvc.lock").is_file()
    assert (run.workspace / "predictions.csv").read_text().startswith("actual,predicted\n")
    with Repo.open(str(run.workspace)) as repo:
        versions = repo.log(str(run.workspace / "model.pkl"))
        current = repo.status([str(run.workspace / "model.pkl")])[0].version
    # the run cache restored the first model: v1 again, not a v3 equal to it
    v2, v1 = versions
    assert v1.oid != v2.oid and current == 1
    assert all((v.producer or "").startswith("stage:train@") for v in versions)


# -- lineage ---------------------------------------------------------------------------------


def test_lineage_finds_the_cells_that_made_the_model(demo: Demo) -> None:
    run = demo("lineage.ipynb")
    tree = run.text("lineage")
    assert tree.splitlines()[0].startswith("lineage of model.pkl@v1")
    assert "└── lineage.ipynb cell train [" in tree
    for part in ("cell tune", "cell split", "cell load", "data/digits.csv@v1", "cell data"):
        assert part in tree
    assert "cell look" not in tree  # it read the data, but nothing of it reached the model


def test_lineage_script_rebuilds_the_same_model(demo: Demo) -> None:
    run = demo("lineage.ipynb")
    script = run.text("script")
    assert "model = SVC(C=best_C).fit(X_train, y_train)" in script
    assert "ink = " not in script and "%version_add" not in script
    assert (run.workspace / "rebuild.py").read_text().strip() == script.strip()
    assert "the script rebuilds the same model, byte for byte" in run.text("compare")
    rebuilt = run.workspace / "rebuild" / "model.pkl"
    assert rebuilt.read_bytes() == (run.workspace / "model.pkl").read_bytes()
