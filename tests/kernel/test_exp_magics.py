"""%exp_run (its live widget), %exp_show, %exp_apply and nbvc.exp_run in a kernel."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbvc.kernel.exp_widget import SweepWidget
from nbvc.kernel.plots import VEGALITE_MIME
from tests.experiments.kit import PARAMS, PIPELINE, TRAIN
from tests.kernel.kit import Kernel, python_on_path


@pytest.fixture
def project(kernel: Kernel, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PATH", python_on_path())
    root = kernel.root
    (root / "data").mkdir()
    (root / "data" / "raw.csv").write_text("\n".join(str(i) for i in range(20)) + "\n")
    (root / "params.yaml").write_text(PARAMS)
    (root / "train.py").write_text(TRAIN)
    (root / "nbvc.yaml").write_text(PIPELINE)
    kernel.value("%version_add data/raw.csv")
    return root


def test_exp_run_shows_a_widget_that_fills_in(
    kernel: Kernel, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[object] = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    params_before = (project / "params.yaml").read_text()
    kernel.value("%exp_run -S train.lr=0.01,0.05 -S train.epochs=1,2 -n nb --metric loss")
    (widget,) = shown
    assert isinstance(widget, SweepWidget)
    assert widget.bar.value == widget.bar.max == 4
    assert "4/4 done" in widget.status.value and "completed" in widget.status.value
    assert widget.table.value.count("<tr>") == 5 and 'class="nbvc-good"' in widget.table.value
    (chart,) = widget.chart.outputs
    assert chart["data"][VEGALITE_MIME]["encoding"]["y"]["title"] == "loss"
    assert (project / "params.yaml").read_text() == params_before
    table = kernel.value("%exp_show nb --sort loss")
    assert "nb-4" in repr(table).split("\n")[3]  # lr 0.05, epochs 2: the best loss first


def test_exp_apply_and_the_python_api(kernel: Kernel, project: Path) -> None:
    runs = kernel.value("import nbvc\nruns = nbvc.exp_run('train.lr=0.3', name='py')\nruns")
    assert [r.status.value for r in runs] == ["completed"]
    applied = kernel.value(f"%exp_apply {runs[0].short_id}")
    assert "applied run" in repr(applied)
    assert (project / "model.bin").read_text().startswith("model lr=0.3 ")
    assert "lr: 0.3" in (project / "params.yaml").read_text()


def test_errors_are_one_line(kernel: Kernel, project: Path) -> None:
    result = kernel.run("%exp_run -S nonsense")
    assert not result.success
    assert "KEY=VALUES" in str(result.error_in_exec)
