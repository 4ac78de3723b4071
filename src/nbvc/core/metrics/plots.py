"""Vega-Lite specs for metric curves and plot files: pure functions returning dicts.

The CLI writes them into an HTML page; the notebook display and the JupyterLab panel render the
very same specs.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import posixpath
import re
import struct
from collections.abc import Mapping, Sequence
from typing import Any

from nbvc.core.metrics.plot_points import build, finite
from nbvc.core.metrics.plot_templates import SCHEMA, spec_for

__all__ = [
    "IMAGE_TYPES",
    "SCHEMA",
    "data_spec",
    "file_spec",
    "html_page",
    "image_size",
    "image_spec",
    "is_image",
    "series_spec",
]

WIDTH, HEIGHT = 480, 280
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}

Point = tuple[int, float | None]


def is_image(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in IMAGE_TYPES


def series_spec(metric: str, series: Mapping[str, Sequence[Point]]) -> dict[str, Any]:
    """One metric's step curve, one line per run (``series``: run label -> (step, value)s)."""
    values = [
        {"run": run, "step": step, "value": finite(value)}
        for run, points in series.items()
        for step, value in points
        if finite(value) is not None
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
    path: str,
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    props: Mapping[str, Any],
    custom: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A plot of one file (``rows``: rev label -> the file's rows) with DVC-style props."""
    return data_spec(
        path, {rev: {path: file_rows} for rev, file_rows in rows.items()}, props, custom
    )


def data_spec(
    plot_id: str,
    files: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]],
    props: Mapping[str, Any],
    custom: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A plot of data files (``files``: rev label -> file -> rows); ``custom`` is the content
    of a custom template named by ``props["template"]``."""
    data = build(files, props)
    template = str(props.get("template") or "linear")
    return spec_for(template, str(props.get("title") or plot_id), data, custom)


def image_spec(path: str, images: Mapping[str, bytes]) -> dict[str, Any]:
    """An image file of each rev, side by side, embedded as data URLs (drawn by Vega-Lite's
    image mark, so notebooks, the panel and the HTML page render it like any other plot)."""
    mime = IMAGE_TYPES[posixpath.splitext(path)[1].lower()]
    views = []
    for rev, data in images.items():
        width, height = image_size(data, mime)
        url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        views.append(
            {
                "title": rev,
                "width": width,
                "height": height,
                "data": {"values": [{"url": url, "rev": rev}]},
                "mark": {
                    "type": "image",
                    "width": width,
                    "height": height,
                    "align": "left",
                    "baseline": "top",
                },
                "encoding": {
                    "url": {"field": "url", "type": "nominal"},
                    "x": {"value": 0},
                    "y": {"value": 0},
                },
            }
        )
    return {"$schema": SCHEMA, "title": path, "hconcat": views}


def image_size(data: bytes, mime: str) -> tuple[int, int]:
    """The image's size in pixels, fitted into 480 x 480 (aspect kept); 480 x 360 if unknown."""
    size = _pixels(data, mime)
    if size is None or min(size) <= 0:
        return 480, 360
    width, height = size
    scale = min(1.0, 480 / width, 480 / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _pixels(data: bytes, mime: str) -> tuple[int, int] | None:
    if mime == "image/png" and data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if mime == "image/gif" and data[:4] == b"GIF8" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if mime == "image/jpeg":
        return _jpeg_pixels(data)
    if mime == "image/svg+xml":
        return _svg_pixels(data)
    return None


def _jpeg_pixels(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


def _svg_pixels(data: bytes) -> tuple[int, int] | None:
    head = data[:2048].decode("utf-8", "replace")
    found = {k: re.search(rf'\b{k}="([\d.]+)(?:px)?"', head) for k in ("width", "height")}
    if found["width"] and found["height"]:
        return round(float(found["width"].group(1))), round(float(found["height"].group(1)))
    box = re.search(r'viewBox="[\d.\-]+[ ,]+[\d.\-]+[ ,]+([\d.]+)[ ,]+([\d.]+)"', head)
    if box:
        return round(float(box.group(1))), round(float(box.group(2)))
    return None


def html_page(specs: Sequence[Mapping[str, Any]], title: str = "nbvc plots") -> str:
    """A self-contained HTML page rendering ``specs`` with vega-embed.

    Vega, Vega-Lite and vega-embed are inlined (from vl-convert's bundle), so the page works
    offline and loads nothing from the network.
    """
    scripts = f"<script>\n{_vega_bundle()}\n</script>\n"
    divs = "".join(f'<div class="plot" id="plot{i}"></div>\n' for i in range(len(specs)))
    # valid JSON whatever the data held: NaN and infinities are written as null
    data = json.dumps(finite(list(specs)), ensure_ascii=False, allow_nan=False)
    data = data.replace("</", "<\\/")
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
// each plot's outcome, for whoever checks the page: data-drawn counts the plots drawn, a plot
// that fails shows its error in place of the chart
let drawn = 0;
specs.forEach((spec, i) => vegaEmbed("#plot" + i, spec, {{actions: true}})
  .then(() => {{ document.body.dataset.drawn = String(++drawn); }})
  .catch((error) => {{
    document.getElementById("plot" + i).textContent = "This plot could not be drawn: " + error;
    console.error(error);
  }}));
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
