"""Vega-Lite specs for metric curves and plot files: pure functions returning dicts.

The CLI writes them into an HTML page; the notebook display and the JupyterLab panel render the
very same specs.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
WIDTH, HEIGHT = 480, 280
_MARKS: dict[str, dict[str, Any]] = {
    "linear": {"type": "line", "point": True},
    "simple": {"type": "line"},
    "smooth": {"type": "line"},
    "scatter": {"type": "point"},
    "bar_horizontal": {"type": "bar"},
}

Point = tuple[int, float | None]


def series_spec(metric: str, series: Mapping[str, Sequence[Point]]) -> dict[str, Any]:
    """One metric's step curve, one line per run (``series``: run label -> (step, value)s)."""
    values = [
        {"run": run, "step": step, "value": value}
        for run, points in series.items()
        for step, value in points
        if value is not None
    ]
    return {
        "$schema": SCHEMA,
        "title": metric,
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": values},
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {"field": "step", "type": "quantitative", "title": "step"},
            "y": {"field": "value", "type": "quantitative", "title": metric},
            "color": {"field": "run", "type": "nominal", "title": "run"},
        },
    }


def file_spec(
    path: str, rows: Mapping[str, Sequence[Mapping[str, Any]]], props: Mapping[str, Any]
) -> dict[str, Any]:
    """A declared plot file (``rows``: run label -> the file's rows), DVC-style props.

    ``x`` defaults to a row index named ``step``; ``y`` to the last numeric column, or a list.
    """
    x = props.get("x") or "step"
    sample = next((r[0] for r in rows.values() if r), {})
    ys = _y_fields(props.get("y"), sample, x)
    values = [
        {"run": run, **({"step": i} if x == "step" and "step" not in row else {}), **row}
        for run, file_rows in rows.items()
        for i, row in enumerate(file_rows)
    ]
    template = props.get("template", "linear")
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "title": props.get("title") or path,
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": values},
        "transform": [{"fold": ys, "as": ["series", "value"]}],
        "mark": {**_MARKS.get(template, _MARKS["linear"]), "tooltip": True},
        "encoding": {
            "x": {"field": x, "type": "quantitative", "title": props.get("x_label") or x},
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": props.get("y_label") or ", ".join(ys),
            },
            "color": {"field": "run", "type": "nominal", "title": "run"},
        },
    }
    if len(ys) > 1:
        spec["encoding"]["strokeDash"] = {"field": "series", "type": "nominal"}
    if template == "smooth":
        spec["transform"].append({"loess": "value", "on": x, "groupby": ["run", "series"]})
    return spec


def _y_fields(y: Any, sample: Mapping[str, Any], x: str) -> list[str]:
    if isinstance(y, str):
        return [y]
    if isinstance(y, list) and y:
        return [str(v) for v in y]
    numeric = [k for k, v in sample.items() if k != x and isinstance(v, int | float) and k != "run"]
    return numeric[-1:] or ["value"]


def html_page(specs: Sequence[Mapping[str, Any]], title: str = "nbvc plots") -> str:
    """A self-contained HTML page rendering ``specs`` with vega-embed.

    Vega, Vega-Lite and vega-embed are inlined (from vl-convert's bundle), so the page works
    offline and loads nothing from the network.
    """
    scripts = f"<script>\n{_vega_bundle()}\n</script>\n"
    divs = "".join(f'<div class="plot" id="plot{i}"></div>\n' for i in range(len(specs)))
    data = json.dumps(list(specs), ensure_ascii=False).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
{scripts}<style>body {{ font-family: sans-serif; }} .plot {{ margin: 1em 0; }}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
{divs}<script type="application/json" id="nbvc-specs">{data}</script>
<script>
const specs = JSON.parse(document.getElementById("nbvc-specs").textContent);
specs.forEach((spec, i) => vegaEmbed("#plot" + i, spec, {{actions: true}}));
</script>
</body>
</html>
"""


@functools.cache
def _vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script (made once per process: it takes seconds)."""
    import vl_convert

    snippet = "window.vegaEmbed = vegaEmbed; window.vegaLite = vegaLite; window.vega = vega;"
    bundle: str = vl_convert.javascript_bundle(snippet)
    return bundle.replace("</script", "<\\/script")
