"""Reading -S: values, functions, grids, samples, and what is refused."""

from __future__ import annotations

import pytest

from nbvc.core.errors import ExperimentError
from nbvc.core.experiments.params_edit import set_in_text
from nbvc.core.experiments.sweep_spec import parse_axis, point_label, points


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("lr=0.1", (0.1,)),
        ("lr=0.01,0.1", (0.01, 0.1)),
        ("opt=adam,sgd", ("adam", "sgd")),
        ("flag=true", (True,)),
        ("n=range(1,4)", (1, 2, 3)),
        ("n=range(10,0,-5)", (10, 5)),
        ("x=range(0,0.3,0.1)", (0.0, 0.1, 0.2)),
        ("x=linspace(0,1,5)", (0.0, 0.25, 0.5, 0.75, 1.0)),
        ("opt=choice(adam, sgd)", ("adam", "sgd")),
        ("shape=[1,2],[3,4]", ([1, 2], [3, 4])),
    ],
)
def test_values(text: str, values: tuple[object, ...]) -> None:
    assert parse_axis(text).values == values


def test_files_and_keys() -> None:
    axis = parse_axis("conf/train.yaml:model.depth=3")
    assert (axis.file, axis.key, axis.label) == ("conf/train.yaml", "model.depth", axis.label)
    assert axis.label == "conf/train.yaml:model.depth"
    assert parse_axis("train.lr=1").file == "params.yaml"


def test_a_grid_is_the_product_in_order_and_random_samples_it() -> None:
    axes = [parse_axis("a=1,2"), parse_axis("b=x,y,z")]
    grid = points(axes)
    assert [point_label(p) for p in grid] == [
        "a=1 b=x", "a=1 b=y", "a=1 b=z", "a=2 b=x", "a=2 b=y", "a=2 b=z",
    ]  # fmt: skip
    sample = points(axes, sample=4, seed=7)
    assert len(sample) == 4 and all(p in grid for p in sample)
    assert sample == points(axes, sample=4, seed=7)
    assert len({point_label(p) for p in sample}) == 4


@pytest.mark.parametrize(
    "text",
    [
        "lr",
        "=1",
        "lr=",
        "lr=1,,2",
        "1lr=2",
        "../x.yaml:a=1",
        "n=range(1)",
        "n=range(0,1,0)",
        "x=linspace(0,1)",
        "n=range(a,b)",
    ],
)
def test_bad_specs_are_refused_with_what_to_write(text: str) -> None:
    with pytest.raises(ExperimentError, match="-S"):
        parse_axis(text)


def test_huge_grids_need_random() -> None:
    axes = [parse_axis("a=range(0,1000)"), parse_axis("b=range(0,1000)")]
    with pytest.raises(ExperimentError, match="--random"):
        points(axes)
    assert len(points(axes, sample=10)) == 10
    with pytest.raises(ExperimentError, match="twice"):
        points([parse_axis("a=1"), parse_axis("a=2")])


def test_yaml_values_are_set_in_place_keeping_comments() -> None:
    text = "# top\ntrain:\n  lr: 0.1  # learning rate\n  opt: adam\nother: [1, 2]\n"
    changed = set_in_text(text, "params.yaml", {"train.lr": 1e-05, "train.opt": "sgd"})
    assert changed == "# top\ntrain:\n  lr: 1.0e-05  # learning rate\n  opt: sgd\nother: [1, 2]\n"
    added = set_in_text(text, "params.yaml", {"train.new": 3})
    assert "new: 3" in added and "lr: 0.1" in added


def test_json_params_and_refused_formats() -> None:
    assert (
        set_in_text('{"a": {"b": 1}}', "p.json", {"a.b": 2}) == '{\n  "a": {\n    "b": 2\n  }\n}\n'
    )
    with pytest.raises(ExperimentError, match="YAML and JSON"):
        set_in_text("a = 1", "params.toml", {"a": 2})
