"""Metric series as Vega-Lite, which JupyterLab renders natively, with a PNG of the same chart
(rendered by vl-convert) for nbviewer, GitHub and headless runs, and a text summary with a
sparkline per run for terminals."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from nbvc.core import VEGA_LITE_SCHEMA, RunRecord, series_spec

VEGALITE_MIME = "application/vnd.vegalite.v5+json"
_SPARKS = "▁▂▃▄▅▆▇█"

Points = list[tuple[int, float | None]]


class VegaLite:
    """A Vega-Lite chart with PNG and plain-text fallbacks."""

    def __init__(self, spec: dict[str, Any], text: str, png: bool = True) -> None:
        self.spec = spec
        self.text = text
        self.png = png

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {VEGALITE_MIME: self.spec, "text/plain": self.text}
        if self.png and "image/png" not in (exclude or ()):
            image = render_png(self.spec)
            if image is not None:
                bundle["image/png"] = base64.b64encode(image).decode("ascii")
        return bundle

    def __repr__(self) -> str:
        return self.text


def render_png(spec: dict[str, Any]) -> bytes | None:
    """The chart as a PNG, or None where vl-convert cannot render it (the text stays)."""
    try:
        import vl_convert

        image: bytes = vl_convert.vegalite_to_png(spec, scale=1)
    except Exception:  # an optional rendering: any failure leaves the other forms
        return None
    return image


def series_of(records: Sequence[RunRecord]) -> dict[str, dict[str, Points]]:
    """metric name -> run label -> (step, value) points, for the runs that logged series."""
    found: dict[str, dict[str, Points]] = {}
    for record in records:
        label = record.short_id
        for name, points in record.series.items():
            found.setdefault(name, {})[label] = [(int(p[0]), p[1]) for p in points]
    return found


def metric_chart(
    records: Sequence[RunRecord], metrics: Sequence[str] = (), png: bool = True
) -> VegaLite | None:
    """One chart per metric (stacked), one line per run; None if nothing was logged as series."""
    series = series_of(records)
    names = [m for m in metrics if m in series] if metrics else sorted(series)
    if not names:
        return None
    specs = [series_spec(name, series[name]) for name in names]
    if len(specs) == 1:
        spec = specs[0]
    else:
        spec = {"$schema": VEGA_LITE_SCHEMA, "vconcat": [_without_schema(s) for s in specs]}
    return VegaLite(spec, _text(names, series), png)


def stacked(specs: Sequence[tuple[str, dict[str, Any]]], png: bool = True) -> VegaLite:
    """Named specs (plot id, spec) as one chart, one below the other; the text lists the ids."""
    if len(specs) == 1:
        spec = specs[0][1]
    else:
        spec = {"$schema": VEGA_LITE_SCHEMA, "vconcat": [_without_schema(s) for _, s in specs]}
    text = "\n".join(f"{plot_id}: {s.get('title', '')}" for plot_id, s in specs)
    return VegaLite(spec, text, png)


def _without_schema(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in spec.items() if key != "$schema"}


def _text(names: Sequence[str], series: Mapping[str, Mapping[str, Points]]) -> str:
    lines = []
    for name in names:
        lines.append(name)
        for run, points in series[name].items():
            values = [v for _, v in points if v is not None]
            if not values:
                continue
            lines.append(
                f"  {run}  {sparkline(values)}  last {values[-1]:.4g}  "
                f"min {min(values):.4g}  max {max(values):.4g}  ({len(values)} steps)"
            )
    return "\n".join(lines)


def sparkline(values: Sequence[float], width: int = 24) -> str:
    if len(values) > width:  # keep every n-th value, and the last
        step = len(values) / width
        values = [values[int(i * step)] for i in range(width - 1)] + [values[-1]]
    low, high = min(values), max(values)
    span = high - low
    if span == 0:
        return _SPARKS[3] * len(values)
    return "".join(_SPARKS[round((v - low) / span * (len(_SPARKS) - 1))] for v in values)
