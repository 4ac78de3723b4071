"""A real notebook (nbclient, a real kernel) that autologs scikit-learn with `%nbvc_autolog`
and logs a matplotlib figure that is also shown inline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

from nbvc.core.repo import Repo
from nbvc.nbexec import execute_notebook
from tests.kernel.kit import python_on_path

CELLS = [
    ("setup", "%load_ext nbvc\n%matplotlib inline"),
    ("autolog", "%nbvc_autolog"),
    (
        "train",
        "import nbvc\nfrom sklearn.datasets import load_iris\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "X, y = load_iris(return_X_y=True)\n"
        "model = LogisticRegression(max_iter=300).fit(X, y)",
    ),
    (
        "figure",
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
        "ax.plot(model.predict_proba(X)[:, 0])\nnbvc.log_figure(fig, 'proba')\nplt.show()",
    ),
    ("search", "%runs --filter metrics.training_accuracy_score > 0.9"),
    ("load", "nbvc.load_model('LogisticRegression').score(X, y) == model.score(X, y)"),
]


def test_autolog_and_inline_figures_in_a_notebook(tmp_path: Path) -> None:
    Repo.init(str(tmp_path))
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
    path = tmp_path / "train.ipynb"
    nbformat.write(nb, str(path))  # type: ignore[no-untyped-call]
    env = {"PATH": python_on_path(), "IPYTHONDIR": str(tmp_path / ".ipython"), "MPLBACKEND": ""}
    done = execute_notebook(str(path), env=env, timeout=300)

    def outputs(cell_id: str) -> list[dict[str, Any]]:
        (cell,) = [c for c in done.cells if c.get("id") == cell_id]
        return list(cell.outputs)

    assert "nbvc autolog: on for lightgbm, sklearn" in str(outputs("autolog"))
    assert any("image/png" in o.get("data", {}) for o in outputs("figure"))  # shown inline
    assert "text/html" in outputs("search")[0]["data"]
    assert outputs("load")[0]["data"]["text/plain"] == "True"
    with Repo.open(str(tmp_path)) as repo:
        (summary,) = repo.runs.search("metrics.training_accuracy_score > 0.9")
        run = repo.runs.get(summary["id"])
        (version,) = repo.models.versions("LogisticRegression")
    assert run.source == "notebook" and run.extra["notebook"] == "train.ipynb"
    assert run.extra["cells"] == ["train", "figure", "search", "load"]  # the cells it saw
    assert run.params["logged"]["max_iter"] == 300
    assert {a.name for a in run.artifacts} >= {"proba.png", "LogisticRegression"}
    assert version.run == run.id and version.signature is not None
