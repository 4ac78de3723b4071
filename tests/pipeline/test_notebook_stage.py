"""Notebook stages executed by nbclient with papermill-style parameters."""

from __future__ import annotations

import json

import nbformat

from nbvc.core.pipeline.outcome import FAILED, RAN, SKIPPED
from nbvc.nbexec import INJECTED_TAG
from tests.pipeline.kit import Project

SETUP = """\
import json, os, nbvc
from IPython import get_ipython
"""

REPORT = """\
shell = get_ipython()
parent = shell.kernel.get_parent() if hasattr(shell.kernel, "get_parent") else shell.parent_header
seen = {
    "lr": lr,
    "epochs": epochs,
    "label": label,
    "session": __session__,
    "env_session": os.environ.get("JPY_SESSION_NAME"),
    "cell_id": parent.get("metadata", {}).get("cellId"),
    "cwd": os.getcwd(),
}
json.dump(seen, open("seen.json", "w"))
nbvc.log_metric("nb_score", lr * epochs)
print("reported with lr", lr)
"""


def write_notebook(project: Project, failing: bool = False) -> None:
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Report"),  # type: ignore[no-untyped-call]
        nbformat.v4.new_code_cell(SETUP),  # type: ignore[no-untyped-call]
        nbformat.v4.new_code_cell(  # type: ignore[no-untyped-call]
            "lr = 0.5\nepochs = 1\nlabel = 'default'", metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(REPORT if not failing else "raise ValueError('bad data')"),  # type: ignore[no-untyped-call]
    ]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    project.write("notebooks/report.ipynb", nbformat.writes(nb))  # type: ignore[no-untyped-call]


PIPELINE = """\
stages:
  report:
    notebook: report.ipynb
    wdir: notebooks
    params:
      - ../params.yaml:
          - train.lr
          - train.epochs
    parameters:
      label: from-pipeline
    notebook_output: ../reports/report.ipynb
    outs:
      - seen.json
"""


def test_notebook_stage_injects_params_and_writes_the_executed_copy(project: Project) -> None:
    project.write("params.yaml", "train:\n  lr: 0.25\n  epochs: 4\n")
    write_notebook(project)
    project.write("nbvc.yaml", PIPELINE)
    result = project.nbvc("repro")
    assert result.code == 0, result.err
    assert "reported with lr 0.25" in result.out
    seen = project.json("notebooks/seen.json")
    notebook_path = str(project.path("notebooks/report.ipynb"))
    assert seen["lr"] == 0.25 and seen["epochs"] == 4 and seen["label"] == "from-pipeline"
    assert seen["session"] == seen["env_session"] == notebook_path
    assert seen["cell_id"] == "cell-3"  # sent as JupyterLab sends it
    assert seen["cwd"] == str(project.path("notebooks"))

    executed = nbformat.read(str(project.path("reports/report.ipynb")), as_version=4)  # type: ignore[no-untyped-call]
    tags = [c.metadata.get("tags", []) for c in executed.cells]
    assert tags.index([INJECTED_TAG]) == tags.index(["parameters"]) + 1
    injected = executed.cells[tags.index([INJECTED_TAG])]
    assert "lr = 0.25" in injected.source and "label = 'from-pipeline'" in injected.source
    outputs = executed.cells[-1].outputs
    assert any("reported with lr 0.25" in o.get("text", "") for o in outputs)
    original = nbformat.read(notebook_path, as_version=4)  # type: ignore[no-untyped-call]
    assert INJECTED_TAG not in json.dumps(original)  # the source notebook is untouched

    lock = project.lock()["report"]
    assert lock["notebook"]["path"] == "notebooks/report.ipynb"
    assert [d["path"] for d in lock["deps"]] == ["notebooks/report.ipynb"]
    assert {o["path"] for o in lock["outs"]} == {"notebooks/seen.json", "reports/report.ipynb"}
    with project.repo() as repo:
        assert repo.history.latest("reports/report.ipynb") is not None
    run_id = lock["run"]
    assert project.run(run_id)["metrics"]["logged"] == {"nb_score": 1.0}

    assert [o.status for o in project.repro().outcomes] == [SKIPPED]
    project.write("params.yaml", "train:\n  lr: 0.5\n  epochs: 4\n")
    rerun = project.repro()
    assert rerun.outcomes[0].status == RAN
    assert rerun.outcomes[0].reason == "param train.lr changed (0.25 -> 0.5)"
    assert project.json("notebooks/seen.json")["lr"] == 0.5


def test_a_failing_notebook_fails_the_stage_and_keeps_the_executed_copy(project: Project) -> None:
    project.write("params.yaml", "train:\n  lr: 0.25\n  epochs: 4\n")
    write_notebook(project, failing=True)
    project.write("nbvc.yaml", PIPELINE)
    result = project.repro()
    outcome = result.outcome("report")
    assert outcome.status == FAILED
    assert outcome.error is not None and "ValueError: bad data" in outcome.error
    executed = nbformat.read(str(project.path("reports/report.ipynb")), as_version=4)  # type: ignore[no-untyped-call]
    assert executed.cells[-1].outputs[0]["ename"] == "ValueError"
    assert not project.path("nbvc.lock").exists()
