"""Vega-Lite spec builders (pure) and `nbvc plots show`."""

from __future__ import annotations

import json
import re

from nbvc.core.metrics.plots import SCHEMA, file_spec, html_page, series_spec
from tests.pipeline.kit import Project, ml_pipeline, set_param


def test_series_spec_has_one_line_per_run() -> None:
    spec = series_spec("loss", {"a": [(0, 1.0), (1, 0.5)], "b": [(0, 2.0), (1, None)]})
    assert spec["$schema"] == SCHEMA and spec["title"] == "loss"
    assert spec["data"]["values"] == [
        {"run": "a", "step": 0, "value": 1.0},
        {"run": "a", "step": 1, "value": 0.5},
        {"run": "b", "step": 0, "value": 2.0},
    ]
    assert spec["encoding"]["color"]["field"] == "run"
    assert spec["mark"]["type"] == "line"


def test_file_spec_defaults_and_props() -> None:
    rows = {"r1": [{"epoch": 0, "loss": 1.0, "acc": 0.1}, {"epoch": 1, "loss": 0.5, "acc": 0.2}]}
    default = file_spec("curve.csv", rows, {})
    assert default["title"] == "curve.csv"
    assert default["encoding"]["x"]["field"] == "step"  # the row index
    assert [v["step"] for v in default["data"]["values"]] == [0, 1]
    assert default["encoding"]["y"]["field"] == "acc"  # the last numeric column
    assert [v["acc"] for v in default["data"]["values"]] == [0.1, 0.2]
    chosen = file_spec(
        "curve.csv",
        {**rows, "r2": rows["r1"]},
        {"x": "epoch", "y": ["loss", "acc"], "template": "scatter", "title": "Training"},
    )
    assert chosen["title"] == "Training" and chosen["mark"]["type"] == "point"
    assert chosen["encoding"]["x"]["field"] == "epoch"
    assert chosen["encoding"]["y"]["field"] == "value"  # several columns: one value field
    assert {v["series"] for v in chosen["data"]["values"]} == {"loss", "acc"}
    assert len(chosen["data"]["values"]) == 8  # 2 runs x 2 rows x 2 columns
    assert chosen["encoding"]["strokeDash"]["field"] == "series"
    smooth = file_spec("c.csv", rows, {"x": "epoch", "y": "loss", "template": "smooth"})
    assert smooth["transform"][0]["loess"] == "loss"


def test_non_finite_values_become_null() -> None:
    rows = {"r1": [{"x": 0, "y": float("nan")}, {"x": 1, "y": float("inf")}, {"x": 2, "y": 1.5}]}
    spec = file_spec("c.json", rows, {"x": "x", "y": "y"})
    assert [v["y"] for v in spec["data"]["values"]] == [None, None, 1.5]
    series = series_spec("loss", {"a": [(0, float("-inf")), (1, 0.5)]})
    assert series["data"]["values"] == [{"run": "a", "step": 1, "value": 0.5}]
    embedded = re.search(r'id="nbvc-specs">(.*?)</script>', html_page([spec]), re.S)
    assert embedded is not None and "NaN" not in embedded.group(1)


def test_html_page_embeds_the_specs_safely() -> None:
    spec = series_spec("</script><b>", {"a": [(0, 1.0)]})
    page = html_page([spec], title="<runs>")
    assert "<title>&lt;runs&gt;</title>" in page
    embedded = re.search(r'id="nbvc-specs">(.*?)</script>', page, re.S)
    assert embedded is not None
    assert json.loads(embedded.group(1)) == [spec]
    assert 'id="plot0"' in page and "vegaEmbed" in page
    assert "<script src=" not in page  # self-contained: nothing loaded from the network
    assert page.count("</script>") == 3  # bundle, specs, embedding: none broken early


def test_plots_show_writes_metric_curves_and_plot_files(project: Project) -> None:
    ml_pipeline(project)
    first = project.repro().run_id or ""
    set_param(project, "train", "lr", 0.2)
    second = project.repro().run_id or ""
    out = project.path("report/plots.html")
    result = project.nbvc("plots", "show", first, second, "--out", str(out))
    assert result.code == 0 and "Wrote 2 plot(s)" in result.out
    page = out.read_text()
    embedded = re.search(r'id="nbvc-specs">(.*?)</script>', page, re.S)
    assert embedded is not None
    loss, curve = json.loads(embedded.group(1))
    assert loss["title"] == "loss"
    runs = {v["run"] for v in loss["data"]["values"]}
    assert runs == {first.rsplit("-", 1)[1], second.rsplit("-", 1)[1]}
    assert curve["title"] == "plots/curve.csv"
    assert {v["series"] for v in curve["data"]["values"]} == {"precision", "recall"}
    assert len(curve["data"]["values"]) == 12  # three rows, two columns, from each run


def test_plots_show_defaults_and_errors(project: Project) -> None:
    ml_pipeline(project)
    project.repro()
    specs = json.loads(project.nbvc("plots", "show", "--json").out)
    assert [s["title"] for s in specs] == ["loss", "plots/curve.csv"]
    workspace = json.loads(project.nbvc("plots", "show", "workspace", "--json").out)
    assert [s["title"] for s in workspace] == ["plots/curve.csv"]
    default = project.nbvc("plots", "show")  # no --out: a default page, as DVC's dvc_plots
    page = project.root / "nbvc_plots" / "index.html"
    assert default.code == 0 and default.out.strip() == f"Wrote 2 plot(s) to {page}"
    assert "vega" in page.read_text(encoding="utf-8")
    unknown = project.nbvc("plots", "show", "abcdef", "--json")
    assert unknown.code == 1 and "'abcdef' is not a run id" in unknown.err
