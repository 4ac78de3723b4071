"""%repro, %runs, %metrics_diff, %params_diff, metric charts and the notebook's own run."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from nbvc.core.runs import logging as runlog
from nbvc.core.runs.run_record import short_id
from nbvc.kernel.plots import VEGALITE_MIME, VegaLite, sparkline
from nbvc.kernel.widgets import CompareWidget
from tests.kernel.kit import Kernel, python_on_path, write_pipeline


@pytest.fixture
def pipeline(kernel: Kernel, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PATH", python_on_path())
    write_pipeline(kernel.root)
    yield kernel.root


def log_two_runs(kernel: Kernel) -> tuple[str, str]:
    """Two notebook runs: the first ended by start_run, the second still open."""
    kernel.value(
        "import nbvc\nnbvc.log_param('lr', 0.1)\n"
        "for i in range(4): nbvc.log_metric('loss', 1 / (i + 1))\n"
        "nbvc.log_metric('accuracy', 0.8)\nfirst = nbvc.active_run().id"
    )
    kernel.value(
        "second = nbvc.start_run().id\nnbvc.log_param('lr', 0.2)\n"
        "for i in range(4): nbvc.log_metric('loss', 0.5 / (i + 1))\n"
        "nbvc.log_metric('accuracy', 0.7)"
    )
    return kernel.shell.user_ns["first"], kernel.shell.user_ns["second"]


def test_repro_runs_the_pipeline_and_versions_point_to_stages(
    kernel: Kernel, pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dry = kernel.value("%repro --dry")
    assert "dry run" in repr(dry) and "would run" in repr(dry)
    result = kernel.value("%repro", "repro-cell")
    out = capsys.readouterr().out
    assert "Running stage 'prepare'" in out and "> python train.py" in out and "trained" in out
    text = repr(result)
    assert "2 ran" in text and 'class="nbvc-good">ran' in result._repr_html_()
    with Repo.open(str(kernel.root)) as repo:
        model = repo.history.latest("model.json")
    assert model is not None and model.producer is not None
    assert model.producer.startswith("stage:train@")
    assert kernel.cell("repro-cell").writes == ()  # the stages wrote, not the cell
    assert "skipped" in repr(kernel.value("%repro train"))
    assert "2 ran" in repr(kernel.value("%repro train --force"))  # and prepare, upstream
    tree = repr(kernel.value("%lineage model.json"))
    assert "└── stage train" in tree and "data/prepared@v1" in tree and "stage prepare" in tree


def test_repro_failure_shows_the_table_and_a_short_error(
    kernel: Kernel, pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (pipeline / "train.py").write_text("raise SystemExit(3)\n")
    message = kernel.usage_error("%repro", capsys)
    assert message.startswith("stage train failed: command failed with exit code 3")
    assert "no stage named 'nope'" in kernel.usage_error("%repro nope", capsys)


def test_runs_table_with_coloured_deltas(kernel: Kernel) -> None:
    assert "No runs yet" in repr(kernel.value("%runs"))
    first, second = log_two_runs(kernel)
    table = kernel.value("%runs")
    rows = table.tables[0].rows
    assert [row[0].text for row in rows] == [short_id(second), short_id(first)]
    assert rows[0][3].text == "running" and rows[1][3].text == "completed"
    html = table._repr_html_()
    # accuracy fell (worse, red); loss fell (better, green)
    assert '0.7 <small class="nbvc-bad">(-0.1)</small>' in html
    assert '0.125 <small class="nbvc-good">(-0.125)</small>' in html
    assert "<script>" in html and "data-sort" in html
    assert "0.7 (-0.1)" in repr(table) and "| 0.7 (-0.1) |" in table._repr_markdown_()
    # params and metrics are two labelled groups, in every rendering
    shown = table.tables[0]
    assert shown.groups == [("", 5), ("params", 1), ("metrics", 2)]
    assert shown.columns[5] == "lr" and set(shown.columns[6:]) == {"accuracy", "loss"}
    assert '<th colspan="1" class="nbvc-group">params</th>' in html
    assert '<th colspan="2" class="nbvc-group">metrics</th>' in html
    text_lines = repr(table).splitlines()
    group_line = next(line for line in text_lines if "params " in line)
    assert group_line.index("params") < group_line.index("metrics")
    assert "| lr (param) | loss (metric) | accuracy (metric) |" in table._repr_markdown_()
    by_accuracy = kernel.value("%runs --sort accuracy")
    assert [row[0].text for row in by_accuracy.tables[0].rows] == [short_id(first)]


def test_runs_errors(kernel: Kernel, capsys: pytest.CaptureFixture[str]) -> None:
    assert "at least 1" in kernel.usage_error("%runs -n 0", capsys)
    assert "no run has a metric 'f1'" in kernel.usage_error("%runs --sort f1", capsys)
    assert "no run logged a metric series" in kernel.usage_error("%runs --plot", capsys)


def test_metric_series_as_vega_lite(kernel: Kernel) -> None:
    first, second = log_two_runs(kernel)
    chart = kernel.value("%runs --plot loss")
    assert isinstance(chart, VegaLite)
    bundle = chart._repr_mimebundle_()
    spec = bundle[VEGALITE_MIME]
    assert spec["$schema"].endswith("vega-lite/v5.json") and spec["title"] == "loss"
    runs = {v["run"] for v in spec["data"]["values"]}
    assert runs == {short_id(first), short_id(second)}
    assert f"{short_id(first)}  █▃▂▁  last 0.25" in bundle["text/plain"]
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert "image/png" not in chart._repr_mimebundle_(exclude=["image/png"])
    both = kernel.value("%runs --plot")._repr_mimebundle_()[VEGALITE_MIME]
    assert [s["title"] for s in both["vconcat"]] == ["accuracy", "loss"]
    assert "$schema" not in both["vconcat"][0]


def test_sparkline() -> None:
    assert sparkline([1, 2, 3]) == "▁▅█"
    assert sparkline([2, 2]) == "▄▄"
    assert len(sparkline(list(range(100)), width=10)) == 10


def test_metrics_and_params_diff(kernel: Kernel, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = log_two_runs(kernel)
    metrics = kernel.value(f"%metrics_diff {short_id(first)} current")
    rows = {row[1]: row for row in metrics.tables[0].rows}
    assert rows["accuracy"][4].text == "-0.1" and rows["accuracy"][4].tone == "bad"
    assert rows["loss"][4].tone == "good" and rows["loss"][5].text == "-50%"
    params = kernel.value(f"%params_diff {first} {second}")
    (row,) = params.tables[0].rows
    assert (row[1], row[2].text, row[3].text) == ("lr", "0.1", "0.2")
    same = kernel.value("%params_diff current current")
    assert "No params changed" in repr(same)
    assert "not a run id" in kernel.usage_error("%metrics_diff zzzz-nope", capsys)
    runlog.end_run()
    assert "has no open run" in kernel.usage_error("%metrics_diff current", capsys)


def test_metrics_diff_against_the_workspace(kernel: Kernel, pipeline: Path) -> None:
    kernel.value("%repro")
    write_pipeline(pipeline, lr=0.2)
    params = kernel.value("%params_diff")
    (row,) = params.tables[0].rows
    assert (row[0], row[1], row[2].text, row[3].text) == ("params.yaml", "train.lr", "0.1", "0.2")
    assert row[4].tone == "warn"
    metrics = kernel.value("%metrics_diff --all")
    assert {r[1] for r in metrics.tables[0].rows} == {"acc", "n"}


def test_notebook_runs_say_where_they_came_from(
    kernel: Kernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbvc.kernel import extension

    current = extension.current()
    assert current is not None
    current.tracer.close()
    monkeypatch.setenv("JPY_SESSION_NAME", str(kernel.root / "train.ipynb"))
    first, _ = log_two_runs(kernel)
    with Repo.open(str(kernel.root)) as repo:
        record = repo.records.read("runs", first)
    assert record["source"] == "notebook" and record["notebook"] == "train.ipynb"
    assert record["session"] == current.session
    assert record["metrics"] == {"logged": {"loss": 0.25, "accuracy": 0.8}}
    cells = [c for c in kernel.cells() if c.run is not None]
    assert {c.run for c in cells} == {first, kernel.shell.user_ns["second"]}
    assert "train.ipynb" in repr(kernel.value("%runs"))


def test_compare_widget(kernel: Kernel) -> None:
    first, second = log_two_runs(kernel)
    widget = kernel.value("%runs --widget")
    assert isinstance(widget, CompareWidget)
    assert list(widget.run_picker.value) == [second, first]
    assert set(widget.metric_picker.options) == {"loss", "accuracy"}
    assert short_id(first) in widget.table.value and short_id(second) in widget.table.value
    (chart,) = widget.chart.outputs
    titles = {spec["title"] for spec in chart["data"][VEGALITE_MIME]["vconcat"]}
    assert titles == {"loss", "accuracy"}
    widget.run_picker.value = [first]
    widget.metric_picker.value = ["loss"]
    assert short_id(second) not in widget.table.value and "accuracy" not in widget.table.value
    (chart,) = widget.chart.outputs
    assert "image/png" not in chart["data"]  # the widget's chart is live: no PNG needed
    spec = chart["data"][VEGALITE_MIME]
    assert spec["title"] == "loss" and {v["run"] for v in spec["data"]["values"]} == {
        short_id(first)
    }
    widget.metric_picker.value = ["accuracy"]  # logged once: a table, no series to chart
    assert "accuracy" in widget.table.value
    kernel.value("import nbvc.widgets")
    picked = kernel.value(f"nbvc.widgets.compare(runs=[{short_id(first)!r}], metrics=['loss'])")
    assert list(picked.run_picker.value) == [first] and picked.metric_picker.value == ("loss",)


def test_plots_draws_templates_and_images(
    kernel: Kernel, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.dvc.kit import png

    root = kernel.root
    (root / "eval").mkdir()
    (root / "eval/cm.csv").write_text("actual,predicted\n0,0\n1,0\n1,1\n")
    (root / "eval/importance.png").write_bytes(png(20, 10))
    (root / "nbvc.yaml").write_text(
        "plots:\n- cm:\n    template: confusion\n    x: actual\n    y: {eval/cm.csv: predicted}\n"
        "- eval/importance.png\n"
    )
    chart = kernel.value("%plots workspace")
    assert isinstance(chart, VegaLite)
    confusion, image = chart.spec["vconcat"]
    assert confusion["title"] == "cm" and confusion["facet"]["column"]["field"] == "rev"
    assert image["hconcat"][0]["data"]["values"][0]["url"].startswith("data:image/png")
    assert repr(chart) == "file:cm: cm\nfile:eval/importance.png: eval/importance.png"
    bundle = chart._repr_mimebundle_()
    assert bundle[VEGALITE_MIME] == chart.spec and "image/png" in bundle
    (root / "nbvc.yaml").write_text("stages: {}\n")
    assert "nothing to plot" in kernel.usage_error("%plots workspace", capsys)
