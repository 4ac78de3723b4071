"""The panel with 1,000 artifacts and 2,000 runs: it renders, scrolls, sorts and filters, and
how long the first render takes is measured and printed (not asserted: timings belong to
benchmarks, and this machine is shared).

Marks are taken inside the page by a MutationObserver (``performance.now()`` when a selector
first matches), so the figures do not include Playwright's polling.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui import demo
from tests.ui.conftest import PANEL_WIDTH, VIEWPORT, show_tab, widen_left_area
from tests.ui.lab import Lab, running_lab

pytestmark = pytest.mark.ui

ARTIFACTS, RUNS = 1000, 2000

# Records, in window.__nbvcMarks, when each selector first matches (ms since navigation).
MARKS_SCRIPT = """
window.__nbvcMarks = {};
const selectors = {
  shell: '#jp-main-dock-panel',
  artifacts: '.jp-nbvc-artifact',
  runs: '.jp-nbvc-run:not(.jp-nbvc-run-loading)',
};
new MutationObserver(() => {
  for (const [name, selector] of Object.entries(selectors)) {
    if (!(name in window.__nbvcMarks) && document.querySelector(selector)) {
      window.__nbvcMarks[name] = performance.now();
    }
  }
}).observe(document, { childList: true, subtree: true });
"""


@pytest.fixture(scope="module")
def big_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Lab, float]]:
    root = tmp_path_factory.mktemp("big")
    started = time.monotonic()
    demo.make_big(root, ARTIFACTS, RUNS)
    made = time.monotonic() - started
    with running_lab(root, tmp_path_factory.mktemp("big-home")) as lab:
        yield lab, made


@pytest.fixture(scope="module")
def figures() -> Iterator[dict[str, float]]:
    found: dict[str, float] = {}
    yield found
    print("\n" + "\n".join(f"{name}: {value:.0f} ms" for name, value in found.items()))
    report = os.environ.get("NBVC_UI_REPORT")
    if report:
        Path(report).write_text(json.dumps(found, indent=2) + "\n")


def wait_mark(page: Page, name: str) -> float:
    page.wait_for_function(f"'{name}' in window.__nbvcMarks", timeout=60_000)
    value: float = page.evaluate(f"window.__nbvcMarks['{name}']")
    return value


def test_first_render_with_1000_artifacts_and_2000_runs(
    browser: Browser, big_lab: tuple[Lab, float], figures: dict[str, float]
) -> None:
    lab, made = big_lab
    figures["generate 1,000 artifacts + 2,000 runs (engine API)"] = made * 1000
    for endpoint, params in (("artifacts", {}), ("runs", {"limit": "100"})):
        started = time.monotonic()
        answer = lab.api("GET", endpoint, params=params)
        figures[f"GET /nbvc/api/{endpoint} (server)"] = (time.monotonic() - started) * 1000
        assert answer.status_code == 200
    assert len(lab.api("GET", "artifacts").json()["artifacts"]) == ARTIFACTS

    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(MARKS_SCRIPT)
    page = context.new_page()
    page.goto(lab.lab_url())  # first visit: opens the panel, which the workspace remembers
    page.locator('.jp-SideBar [data-id="nbvc-panel"]').click()
    expect(page.locator(".jp-nbvc-artifact").first).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)  # the workspace (panel open) is saved

    page.reload()  # measured: JupyterLab restores the open panel, which renders its rows
    shell = wait_mark(page, "shell")
    artifacts = wait_mark(page, "artifacts")
    figures["page load -> JupyterLab shell"] = shell
    figures["page load -> first artifact rows"] = artifacts
    figures["shell -> first artifact rows (the panel's share)"] = artifacts - shell
    expect(page.locator("#nbvc-panel .jp-nbvc-repo")).to_have_text("/ · 1000 tracked")
    expect(page.locator(".jp-nbvc-artifacts-view .jp-nbvc-count")).to_have_text("1000 tracked")
    rendered = page.locator(".jp-nbvc-artifact").count()
    assert 10 < rendered < 100, f"{rendered} rows in the DOM: the list is not virtualised"

    widen_left_area(page, PANEL_WIDTH)
    clicked = page.evaluate("performance.now()")
    show_tab(page, "Runs")
    figures["Runs tab click -> first run rows"] = wait_mark(page, "runs") - clicked
    expect(page.locator(".jp-nbvc-runs-view .jp-nbvc-count")).to_have_text("2000 runs")
    assert page.locator(".jp-nbvc-run").count() < 100


def test_scrolling_sorting_and_filtering_stay_fast(
    browser: Browser, big_lab: tuple[Lab, float], figures: dict[str, float]
) -> None:
    lab, _ = big_lab
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(lab.lab_url())
    page.locator("#nbvc-panel").wait_for()
    show_tab(page, "Runs")
    grid = page.get_by_role("grid", name="Runs")
    expect(page.locator(".jp-nbvc-run:not(.jp-nbvc-run-loading)").first).to_be_visible()

    started = time.monotonic()
    grid.focus()
    page.keyboard.press("End")
    last = page.locator(f"[role=row][aria-rowindex='{RUNS + 1}'] .jp-nbvc-run")
    expect(last).to_be_visible()
    expect(last.locator("[data-column='run']")).not_to_have_text("…")
    figures["End key -> last of 2,000 runs shown (fetches its page)"] = (
        time.monotonic() - started
    ) * 1000

    first_accuracy = page.locator(
        "[role=row][aria-rowindex='2'] [data-column='metric:logged:accuracy']"
    )
    page.keyboard.press("Home")
    started = time.monotonic()
    page.get_by_role("button", name="Sort by accuracy").click()
    expect(page.get_by_role("columnheader", name="Sort by accuracy")).to_have_attribute(
        "aria-sort", "descending"
    )
    best = lab.api(
        "GET", "runs", params={"sort": "metric", "name": "accuracy", "limit": "1"}
    ).json()["runs"][0]["metrics"]["logged"]["accuracy"]
    expect(first_accuracy).to_have_text(str(best))
    figures["sort 2,000 runs by a metric -> first rows"] = (time.monotonic() - started) * 1000

    show_tab(page, "Artifacts")
    started = time.monotonic()
    page.get_by_label("Filter artifacts").fill("part-099")
    expect(page.locator(".jp-nbvc-artifacts-view .jp-nbvc-count")).to_have_text("10 of 1000")
    figures["filter 1,000 artifacts"] = (time.monotonic() - started) * 1000
    page.close()
