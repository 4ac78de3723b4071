"""Plot templates, images and the schema of plot definitions (pure functions, no repo)."""

from __future__ import annotations

import struct

import pytest

from nbvc.core.errors import PipelineError
from nbvc.core.metrics.plot_points import build
from nbvc.core.metrics.plot_templates import fill_custom
from nbvc.core.metrics.plots import data_spec, image_size, image_spec
from nbvc.core.pipeline.loader import parse_pipeline
from tests.dvc.kit import png

ROWS = {"HEAD": {"c.csv": [{"actual": 0, "predicted": 1}, {"actual": 1, "predicted": 1}]}}


def test_images_of_every_kind_get_their_size() -> None:
    assert image_size(png(24, 16), "image/png") == (24, 16)
    assert image_size(png(960, 100), "image/png") == (480, 50)  # fitted, aspect kept
    gif = b"GIF89a" + struct.pack("<HH", 30, 20) + b"\x00" * 10
    assert image_size(gif, "image/gif") == (30, 20)
    jpeg = (
        b"\xff\xd8"
        + b"\xff\xe0\x00\x04\x00\x00"
        + b"\xff\xc0\x00\x11\x08"
        + struct.pack(">HH", 40, 50)
    )
    assert image_size(jpeg + b"\x00" * 8, "image/jpeg") == (50, 40)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60">'
    assert image_size(svg, "image/svg+xml") == (120, 60)
    assert image_size(b'<svg width="10px" height="20">', "image/svg+xml") == (10, 20)
    assert image_size(b"not an image", "image/png") == (480, 360)


def test_image_spec_embeds_each_rev() -> None:
    spec = image_spec("a.svg", {"HEAD~1": b"<svg/>", "workspace": b"<svg/>"})
    assert [view["title"] for view in spec["hconcat"]] == ["HEAD~1", "workspace"]
    assert spec["hconcat"][0]["data"]["values"][0]["url"].startswith("data:image/svg+xml;base64")


def test_confusion_counts_pairs_per_rev() -> None:
    props = {"template": "confusion", "x": "actual", "y": {"c.csv": "predicted"}}
    spec = data_spec("c", ROWS, props)
    assert spec["transform"][0] == {
        "aggregate": [{"op": "count", "as": "count"}],
        "groupby": ["rev", "filename", "predicted", "actual"],
    }
    assert spec["spec"]["encoding"]["x"]["field"] == "actual"
    assert {p["rev"] for p in spec["data"]["values"]} == {"HEAD"}


def test_several_files_are_told_apart() -> None:
    files = {"w": {"a.json": [{"x": 1, "y": 2}], "b.json": [{"x": 1, "y": 3}]}}
    data = build(files, {"x": "x", "y": {"a.json": "y", "b.json": "y"}})
    assert data.series and data.y == "value"
    assert [p["series"] for p in data.points] == ["a.json::y", "b.json::y"]


def test_custom_template_fills_anchors_and_drops_the_rest() -> None:
    template = {
        "data": {"values": "<DVC_METRIC_DATA>"},
        "title": "<DVC_METRIC_TITLE>",
        "encoding": {
            "x": {"field": "<DVC_METRIC_X>", "title": "<DVC_METRIC_X_LABEL> (units)"},
            "column": "<DVC_METRIC_COLUMN>",
        },
        "layer": ["<DVC_METRIC_ROW>", {"mark": "line"}],
    }
    data = build({"w": {"f.json": [{"a.b": 1, "v": 2}]}}, {"x": "a.b", "y": "v"})
    filled = fill_custom(template, "T", data)
    assert filled["data"]["values"] == data.points and filled["title"] == "T"
    assert filled["encoding"] == {"x": {"field": "a\\.b", "title": "a.b (units)"}}
    assert filled["layer"] == [{"mark": "line"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("plots:\n- p:\n    y: {f.csv: 3}\n", "'y' of plot 'p' must be"),
        ("plots:\n- p:\n    colour: red\n", "unknown key 'colour' in plot 'p'"),
        ("plots:\n- p:\n    template: pie\n", "unknown plot template 'pie'"),
        ("plots:\n- p:\n    template: ../../outside.json\n", "unknown plot template"),
        ("plots: {a: b}\n", "top-level 'plots' must be a list"),
        ("artifacts:\n  m:\n    type: model\n", "artifact 'm' needs a 'path'"),
        ("artifacts:\n  m:\n    path: m.pkl\n    kind: x\n", "unknown key 'kind' in artifact"),
        ("datasets: [3]\n", "'datasets' must be a list of mappings"),
        ("stages:\n  a:\n    cmd: x\n    plots:\n    - p.csv: [{x: a}, {y: [1]}]\n", "'y' of"),
    ],
)
def test_definition_errors(text: str, message: str) -> None:
    with pytest.raises(PipelineError, match=message.replace("(", r"\(").replace("[", r"\[")):
        # only files outside the project exist: a template there is still unknown
        parse_pipeline(text, "dvc.yaml", lambda p: "{}" if "outside" in p else None)


def test_definitions_of_every_form() -> None:
    text = """\
stages:
  s:
    cmd: x
    plots:
    - p.csv: [{x: a, y: b}, {x: a, y: c, template: scatter}]
plots:
- curves/
- eval/*.png
- mine:
    x: {a.json: step}
    y: {a.json: [l1, l2], b.json: l3}
    template: custom.json
artifacts:
  m: {path: m.pkl, type: model, labels: [a]}
datasets:
- {name: d, url: s3://x, type: url}
"""
    pipeline = parse_pipeline(text, "dvc.yaml", lambda p: "{}" if p == "custom.json" else None)
    defs = pipeline.plot_defs()
    assert [(d.id, d.is_path) for d in defs] == [
        ("p.csv", True),
        ("p.csv", True),
        ("curves", True),
        ("eval/*.png", True),
        ("mine", False),
    ]
    assert defs[1].props == {"x": "a", "y": "c", "template": "scatter"}
    assert defs[4].files() == ["a.json", "b.json"]
    assert pipeline.artifacts[0].to_json()["labels"] == ["a"]
    assert pipeline.datasets[0]["name"] == "d"
    assert parse_pipeline("# nothing yet\n", "dvc.yaml", lambda _: None).stages == {}
