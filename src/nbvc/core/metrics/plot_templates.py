"""Vega-Lite specs for DVC's built-in plot templates, and DVC custom templates filled in.

Built-in: ``linear`` (lines with points), ``simple`` (lines), ``scatter``, ``smooth`` (loess),
``confusion`` and ``confusion_normalized`` (heat maps of x against y, one per rev),
``bar_horizontal`` and ``bar_horizontal_sorted`` (x is the value, y the category). A custom
template (a Vega-Lite JSON file in `.dvc/plots`) uses DVC's anchors, ``"<DVC_METRIC_DATA>"``,
``<DVC_METRIC_X>`` and so on, which are filled here as DVC fills them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbvc.core.metrics.plot_points import PlotPoints, numeric

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
WIDTH, HEIGHT = 480, 280
LINES: dict[str, dict[str, Any]] = {
    "linear": {"type": "line", "point": True},
    "simple": {"type": "line"},
    "smooth": {"type": "line"},
    "scatter": {"type": "point"},
}
ZOOM = {"name": "grid", "select": "interval", "bind": "scales"}


def spec_for(
    template: str, title: str, data: PlotPoints, custom: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The Vega-Lite spec drawing ``data`` with ``template`` (``custom``: its content)."""
    if custom is not None:
        return fill_custom(custom, title, data)
    if template.startswith("confusion"):
        return _confusion(title, data, normalized=template == "confusion_normalized")
    if template.startswith("bar_horizontal"):
        return _bars(title, data, sort=template == "bar_horizontal_sorted")
    return _lines(template, title, data)


def _base(title: str, data: PlotPoints) -> dict[str, Any]:
    return {"$schema": SCHEMA, "title": title, "data": {"values": data.points}}


def _lines(template: str, title: str, data: PlotPoints) -> dict[str, Any]:
    revs = {p["rev"] for p in data.points}
    x_type = "quantitative" if numeric(data.points, data.x) else "ordinal"
    encoding: dict[str, Any] = {
        "x": {"field": data.x, "type": x_type, "title": data.x_label},
        "y": {"field": data.y, "type": "quantitative", "title": data.y_label},
        "color": {"field": "rev", "type": "nominal", "title": "rev"},
        "tooltip": [
            {"field": "rev", "type": "nominal"},
            {"field": data.x, "type": x_type},
            {"field": data.y, "type": "quantitative"},
        ],
    }
    if data.series:
        if len(revs) > 1:
            encoding["strokeDash"] = {"field": "series", "type": "nominal", "title": "series"}
        else:
            encoding["color"] = {"field": "series", "type": "nominal", "title": "series"}
        encoding["tooltip"].append({"field": "series", "type": "nominal"})
    spec = {
        **_base(title, data),
        "width": WIDTH,
        "height": HEIGHT,
        "mark": {**LINES.get(template, LINES["linear"]), "tooltip": True},
        "encoding": encoding,
        "params": [ZOOM],
    }
    if template == "smooth":
        spec["transform"] = [
            {"loess": data.y, "on": data.x, "groupby": ["rev", "series"], "bandwidth": 0.3}
        ]
    return spec


def _bars(title: str, data: PlotPoints, sort: bool) -> dict[str, Any]:
    y: dict[str, Any] = {"field": data.y, "type": "nominal", "title": data.y_label}
    if sort:
        y["sort"] = "-x"
    return {
        **_base(title, data),
        "width": WIDTH,
        "height": HEIGHT,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": data.x, "type": "quantitative", "title": data.x_label},
            "y": y,
            "yOffset": {"field": "rev", "sort": []},
            "color": {"field": "rev", "type": "nominal", "title": "rev"},
        },
    }


def _confusion(title: str, data: PlotPoints, normalized: bool) -> dict[str, Any]:
    x, y = data.x, data.y
    transform: list[dict[str, Any]] = [
        {"aggregate": [{"op": "count", "as": "count"}], "groupby": ["rev", "filename", y, x]}
    ]
    if normalized:
        transform += [
            {
                "joinaggregate": [{"op": "sum", "field": "count", "as": "total"}],
                "groupby": ["rev", y],
            },
            {"calculate": "datum.count / datum.total", "as": "share"},
        ]
    value = "share" if normalized else "count"
    axis = {"type": "nominal", "sort": "ascending"}
    return {
        **_base(title, data),
        "transform": transform,
        "facet": _confusion_facet(data),
        "spec": {
            "width": 300,
            "height": 300,
            "encoding": {
                "x": {"field": x, **axis, "title": data.x_label},
                "y": {"field": y, **axis, "title": data.y_label},
            },
            "layer": [
                {
                    "mark": {"type": "rect", "tooltip": True},
                    "encoding": {
                        "color": {"field": value, "type": "quantitative", "title": value},
                    },
                },
                {
                    "mark": {"type": "text"},
                    "encoding": {
                        "text": {
                            "field": value,
                            "type": "quantitative",
                            **({"format": ".2f"} if normalized else {}),
                        },
                    },
                },
            ],
        },
        "resolve": {"scale": {"color": "independent"}},
    }


def _confusion_facet(data: PlotPoints) -> dict[str, Any]:
    """One matrix per rev, and per file when several files are compared (train, test)."""
    facet: dict[str, Any] = {"column": {"field": "rev", "type": "nominal", "title": None}}
    if len({p["filename"] for p in data.points}) > 1:
        facet["row"] = {"field": "filename", "type": "nominal", "title": None}
    return facet


# -- custom templates ---------------------------------------------------------------------
def anchor(name: str) -> str:
    return f"<DVC_METRIC_{name.upper()}>"


def fill_custom(template: Mapping[str, Any], title: str, data: PlotPoints) -> dict[str, Any]:
    """A DVC custom template with its anchors filled; optional anchors nbvc has no value for
    are dropped with the key holding them."""
    values: dict[str, Any] = {
        "data": data.points,
        "title": title,
        "x": _escape(data.x),
        "y": _escape(data.y),
        "x_label": data.x_label,
        "y_label": data.y_label,
        "plot_width": WIDTH,
        "plot_height": HEIGHT,
        "color": {"field": "rev", "type": "nominal"},
        "zoom_and_pan": ZOOM,
        "group_by": ["rev"],
        "group_by_x": ["rev", data.x],
        "group_by_y": ["rev", data.y],
        "pivot_field": "rev",
    }
    if data.series:
        values["stroke_dash"] = {"field": "series", "type": "nominal"}
        values["shape"] = {"field": "series", "type": "nominal"}
    filled = _fill(dict(template), values)
    assert isinstance(filled, dict)
    return filled


def _escape(field: str) -> str:
    for char in (".", "[", "]"):
        field = field.replace(char, "\\" + char)
    return field


_DROP = object()


def _fill(node: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        filled = {k: _fill(v, values) for k, v in node.items()}
        return {k: v for k, v in filled.items() if v is not _DROP}
    if isinstance(node, list):
        return [v for v in (_fill(item, values) for item in node) if v is not _DROP]
    if isinstance(node, str) and "<DVC_METRIC_" in node:
        for name, value in values.items():
            if node == anchor(name):
                return value
            if anchor(name) in node and isinstance(value, str):
                node = node.replace(anchor(name), value)
        return _DROP if "<DVC_METRIC_" in node else node
    return node
