"""`nbvc plots show` opened in a real Chromium: every plot of a DVC project's dvc.yaml (every
built-in template, a custom template, PNG and SVG images, a dvclive folder, NaN and infinity in
the data) is drawn, and the page logs no error."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from nbvc.cli.main import main
from nbvc.core.repo import Repo
from tests.dvc.kit import CUSTOM_TEMPLATE, PIPELINE, png

pytestmark = pytest.mark.ui

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40">'
    '<rect width="60" height="40" fill="#3080c0"/></svg>'
)


def write_project(root: Path) -> None:
    """The example's dvc.yaml and the files its plots read, as its stages would leave them."""
    files = {
        "dvc.yaml": PIPELINE.replace(
            "\n- eval/importance.png\n",
            "\n- eval/importance.png\n- eval/*.svg\n- dvclive/plots/metrics:\n    x: step\n",
        ),
        ".dvc/plots/mine.json": json.dumps(CUSTOM_TEMPLATE),
        "eval/plots/confusion.csv": "actual,predicted\n0,0\n0,1\n1,1\n1,1\n0,0\n",
        "eval/roc.json": json.dumps(
            [{"fpr": i / 10, "tpr": i / 10} for i in range(5)]
            + [{"fpr": 0.5, "tpr": math.nan}, {"fpr": 0.6, "tpr": math.inf}]
        ),
        "eval/importance.csv": "feature,importance\nx,0.7\nbias,0.2\nnoise,0.1\n",
        "eval/curve.svg": SVG,
        "dvclive/plots/metrics/loss.tsv": "timestamp\tstep\tloss\n1\t0\t3\n2\t1\t1.5\n3\t2\t1\n",
        "dvclive/plots/metrics/acc.tsv": "timestamp\tstep\tacc\n1\t0\t0.5\n2\t1\t0.7\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "eval/importance.png").write_bytes(png(48, 32))


def test_every_plot_is_drawn(browser: Browser, tmp_path: Path) -> None:
    write_project(tmp_path)
    Repo.init(str(tmp_path))
    page_path = tmp_path / "plots.html"
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["plots", "show", "workspace", "--out", str(page_path)]) == 0
    finally:
        os.chdir(cwd)
    specs = 13  # 8 built-in templates (linear twice), a custom one, PNG, SVG, 2 dvclive

    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(page_path.as_uri())
    page.wait_for_function(f"document.body.dataset.drawn === '{specs}'", timeout=30_000)
    assert page.locator(".plot").count() == specs
    for i in range(specs):
        chart = page.locator(f"#plot{i} svg.marks")
        assert chart.count() == 1, f"plot {i} has no chart"
        box = chart.bounding_box()
        assert box is not None and box["width"] > 20 and box["height"] > 10
        # data marks were drawn (axes and legends alone are role-axis / role-legend)
        assert chart.locator("g.role-mark path, g.role-mark image").count() > 0, f"plot {i}"
    # every embedded image decodes (a broken data URL would leave an empty frame)
    decoded = page.evaluate(
        """async () => Promise.all([...document.querySelectorAll('svg.marks image')].map(
            async (el) => {
                const img = new Image();
                img.src = el.getAttribute('href');
                await img.decode();
                return [img.naturalWidth, img.naturalHeight];
            }))"""
    )
    assert decoded == [[48, 32], [60, 40]]
    assert problems == []
    page.close()
