"""The panel as a new user first sees it: at the width JupyterLab gives it, in a real JupyterLab
and Chromium.

Nothing is clipped (tab labels, lineage, the compare tab's title), metric changes are coloured
by each metric's direction, a chart of one point shows the point and its value, the artifacts
view has no empty gap, the job progress is readable, the runs table's columns are chosen (and
remembered per repo), and a whole notebook's lineage leads to its cells. One JupyterLab serves
the project ``train.ipynb`` makes (:mod:`tests.ui.demo`); the tests run in order on one page.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.ui.conftest import (
    PANEL_WIDTH,
    clipped,
    outside,
    screenshot_both_themes,
    set_theme,
    show_tab,
    widen_left_area,
)
from tests.ui.test_panel import artifact_row, close_main_area

pytestmark = pytest.mark.ui

TABS = ["Artifacts", "Runs", "Experiments", "Models", "Lineage", "Jobs"]
# the width of JupyterLab's left area until a user drags it
DEFAULT_WIDTH = 250

# WCAG contrast of an element's text against the first opaque background behind it
CONTRAST = """e => {
    const rgb = text => (text.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
        const f = c => {
            c /= 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let back = e, bg = null;
    while (back) {
        const c = rgb(getComputedStyle(back).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) { bg = c; break; }
        back = back.parentElement;
    }
    const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(bg || [255, 255, 255])];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def panel(page: Page) -> Locator:
    return page.locator("#nbvc-panel")


def run_rows(page: Page) -> Locator:
    return page.locator(".jp-nbvc-run:not(.jp-nbvc-run-loading)")


def test_the_panel_opens_at_the_default_width_with_every_tab_label_whole(page: Page) -> None:
    box = panel(page).bounding_box()
    assert box is not None and box["width"] <= DEFAULT_WIDTH + 10
    expect(panel(page).locator(".jp-nbvc-repo")).to_have_text("/ · 2 tracked")
    labels = panel(page).locator(".jp-nbvc-tabs > .lm-TabBar .lm-TabBar-tabLabel")
    expect(labels).to_have_text(TABS)
    assert clipped(labels) == []
    assert outside(labels, panel(page)) == []
    # the panel itself is no wider than the area it is in
    assert panel(page).evaluate("e => e.scrollWidth <= e.clientWidth")
    for name in TABS:
        show_tab(page, name)
        view = page.locator(f"#nbvc-{name.lower()}")
        buttons = view.locator(".jp-nbvc-toolbar > *")
        assert outside(buttons, panel(page)) == [], name


def test_the_artifacts_view_has_no_empty_gap(page: Page) -> None:
    show_tab(page, "Artifacts")
    artifact_row(page, "model.txt").click()
    details = page.locator(".jp-nbvc-details")
    expect(details.locator(".jp-nbvc-details-title")).to_have_text("model.txt")
    expect(page.locator(".jp-nbvc-version-list .jp-nbvc-vrow")).to_have_count(2)
    assert clipped(page.locator("#nbvc-artifacts .jp-nbvc-path")) == []
    # measured in one go (a line loading above moves both)
    gaps = page.evaluate(
        """() => {
            const bottom = list => {
                const rows = list.querySelectorAll('.jp-nbvc-vrow');
                return rows[rows.length - 1].getBoundingClientRect().bottom;
            };
            const artifacts = document.querySelector('#nbvc-artifacts .jp-nbvc-artifact-list');
            const versions = document.querySelector('.jp-nbvc-version-list');
            const details = document.querySelector('.jp-nbvc-details');
            return [
                details.getBoundingClientRect().top - bottom(artifacts),
                versions.getBoundingClientRect().bottom - bottom(versions),
            ];
        }"""
    )
    # the details follow the artifacts, and the diff follows the versions (no empty band)
    assert gaps[0] <= 8 and gaps[1] <= 8, gaps


def test_lineage_text_is_whole_at_the_default_width(page: Page) -> None:
    page.locator(".jp-nbvc-details").get_by_role("button", name="Lineage").click()
    tree = page.get_by_role("tree", name="Lineage of model.txt")
    expect(tree).to_contain_text("data/raw.csv@v1")
    lines = tree.locator(".jp-nbvc-node-line > *")
    assert clipped(lines) == []
    assert outside(lines, tree) == []
    assert tree.evaluate("e => e.scrollWidth <= e.clientWidth")
    title = page.locator("#nbvc-lineage .jp-nbvc-lineage-title")
    assert clipped(title) == []


def test_whole_notebook_lineage_lists_every_cell_and_goes_to_it(page: Page, shots: Path) -> None:
    expect(page.get_by_role("tree", name="Lineage of model.txt")).to_be_visible()
    page.locator("#nbvc-lineage").get_by_role("button", name="Whole notebook").click()
    cells = page.get_by_role("list", name="Cells of train.ipynb, in the order they ran")
    items = cells.locator(".jp-nbvc-cell-lineage")
    expect(items.first).to_be_visible()
    write = items.filter(has_text="write-data")
    expect(write.locator(".jp-nbvc-cell-io[data-kind='writes']")).to_contain_text("data/raw.csv")
    train = items.filter(has=page.get_by_role("button", name="train", exact=True))
    expect(train.locator(".jp-nbvc-cell-io[data-kind='reads']")).to_contain_text("data/raw.csv@v1")
    expect(train.locator(".jp-nbvc-cell-io[data-kind='writes']")).to_contain_text("model.txt")
    assert clipped(cells.locator(".jp-nbvc-cell-io li, .jp-nbvc-link")) == []
    assert outside(cells.locator(".jp-nbvc-cell-io li"), cells) == []
    expect(items.filter(has_text="setup")).to_contain_text("no files")
    screenshot_both_themes(page, shots, "notebook-lineage")
    cells.get_by_role("button", name="retrain", exact=True).click()
    active = page.locator(".jp-NotebookPanel .jp-Cell.jp-mod-active")
    expect(active).to_contain_text("second = nbvc.start_run()")
    # from the open notebook, without going through an artifact
    show_tab(page, "Artifacts")
    page.evaluate("window.jupyterapp.commands.execute('nbvc:lineage', {artifact: 'data/raw.csv'})")
    expect(page.get_by_role("tree", name="Lineage of data/raw.csv")).to_be_visible()
    page.evaluate("window.jupyterapp.commands.execute('nbvc:notebook-lineage', {})")
    expect(items.filter(has_text="retrain")).to_have_count(1)
    close_main_area(page)


def select_runs(page: Page, order: list[int]) -> None:
    """Select runs by their row (newest first), in ``order``: the first is the baseline."""
    show_tab(page, "Runs")
    expect(run_rows(page)).to_have_count(2)
    clear = page.locator("#nbvc-runs").get_by_role("button", name="Clear")
    if clear.is_enabled():
        clear.click()
    for index in order:
        run_rows(page).nth(index).get_by_role("checkbox").check()


def delta(page: Page, name: str) -> Locator:
    table = page.locator(".jp-nbvc-compare-table table")
    return table.locator("tr", has=page.locator("th", has_text=name)).locator(".jp-nbvc-delta")


def test_compare_colours_changes_by_each_metrics_direction(page: Page) -> None:
    # oldest first: accuracy went up and loss went down, both better
    select_runs(page, [1, 0])
    page.get_by_role("button", name="Compare (2)").click()
    expect(delta(page, "accuracy")).to_have_text("+0.25 (+50%)")
    expect(delta(page, "accuracy")).to_have_attribute("data-tone", "good")
    expect(delta(page, "loss")).to_have_text(re.compile("^\N{MINUS SIGN}0\\.0833"))
    expect(delta(page, "loss")).to_have_attribute("data-tone", "good")
    expect(delta(page, "scale")).not_to_have_attribute("data-tone", re.compile("."))
    good = delta(page, "loss").evaluate("e => getComputedStyle(e).color")
    neutral = delta(page, "scale").evaluate("e => getComputedStyle(e).color")
    assert good != neutral
    # the compare tab's title is whole
    title = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
    expect(title).to_have_text("Compare 2 runs")
    assert clipped(title) == []
    close_main_area(page)
    # newest first: the same changes are worse
    select_runs(page, [0, 1])
    page.get_by_role("button", name="Compare (2)").click()
    expect(delta(page, "accuracy")).to_have_attribute("data-tone", "bad")
    expect(delta(page, "loss")).to_have_text(re.compile(r"^\+0\.0833"))
    expect(delta(page, "loss")).to_have_attribute("data-tone", "bad")
    bad = delta(page, "loss").evaluate("e => getComputedStyle(e).color")
    assert bad not in (good, neutral)
    for dark in (False, True):
        set_theme(page, dark)
        for name in ("accuracy", "loss"):
            assert delta(page, name).evaluate(CONTRAST) >= 3.0, (name, dark)
    set_theme(page, False)


def test_a_chart_of_one_point_shows_the_point_and_its_value(page: Page) -> None:
    # accuracy is logged once per run: one point each
    chart = page.locator(".jp-nbvc-plot[data-plot='metric:accuracy']")
    svg = chart.locator("svg.marks").first
    expect(svg).to_be_visible(timeout=30_000)
    values = svg.locator("g.mark-text.role-mark text")
    expect(values).to_have_count(2, timeout=10_000)
    assert sorted(values.all_text_contents()) == ["0.5", "0.75"]
    dots = svg.locator("g.mark-symbol path")
    expect(dots.first).to_be_visible()
    assert dots.count() >= 2
    # a series of several points keeps its line, and no value labels
    loss = page.locator(".jp-nbvc-plot[data-plot='metric:loss'] svg.marks").first
    expect(loss.locator("g.mark-line path").first).to_be_visible()
    expect(loss.locator("g.mark-text.role-mark text")).to_have_count(0)
    close_main_area(page)


def header_texts(*names: str) -> list[re.Pattern[str]]:
    """Column headers with these names (and the sort mark of the sorted one)."""
    return [re.compile(rf"^{re.escape(name)}[▲▼]?$") for name in ["Selected", *names]]


def run_headers(page: Page) -> Locator:
    return page.locator("#nbvc-runs .jp-nbvc-table-header [role=columnheader]")


def test_the_runs_table_fits_the_default_width(page: Page) -> None:
    """No sideways scrolling: at the default width the run and the metrics most runs have,
    whole; the start time is in the run's tooltip, and a column where the panel is wider."""
    show_tab(page, "Runs")
    table = page.locator("#nbvc-runs .jp-nbvc-table")
    expect(run_rows(page)).to_have_count(2)
    expect(run_headers(page)).to_have_text(header_texts("Run", "accuracy", "loss"))
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth")
    cells = page.locator("#nbvc-runs .jp-nbvc-run .jp-nbvc-cell")
    assert outside(run_headers(page), panel(page)) == []
    assert outside(cells, panel(page)) == []
    assert clipped(cells) == []  # ids and values whole; a long metric name's header is cut
    for header in run_headers(page).locator("button").all():  # and its tooltip says it
        assert header.get_attribute("title") == f"Sort by {header.inner_text().rstrip('▲▼')}"
    year = time.strftime("%Y")
    expect(run_rows(page).first.locator("[data-column='run']")).to_have_attribute(
        "title", re.compile(rf"^\w{{8}}: completed, started {year}-\d\d-\d\d \d\d:\d\d$")
    )
    widen_left_area(page, PANEL_WIDTH)
    expect(run_headers(page)).to_have_text(header_texts("Run", "Started", "accuracy", "loss"))
    assert clipped(run_rows(page).locator("[data-column='started']")) == []
    expect(run_rows(page).first.locator("[data-column='started']")).to_have_text(
        re.compile(rf"^{year}-\d\d-\d\d \d\d:\d\d$")
    )
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth")
    widen_left_area(page, DEFAULT_WIDTH)
    expect(run_headers(page)).to_have_text(header_texts("Run", "accuracy", "loss"))
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_runs_columns_are_chosen_and_remembered_per_repo(page: Page, shots: Path) -> None:
    show_tab(page, "Runs")
    headers = run_headers(page)
    expect(headers).to_have_text(header_texts("Run", "accuracy", "loss"))
    page.locator("#nbvc-runs .jp-nbvc-columns > summary").click()
    menu = page.get_by_role("group", name="Columns shown")
    menu.get_by_role("checkbox", name="scale", exact=True).check()
    menu.get_by_role("checkbox", name="loss", exact=True).uncheck()
    expect(headers).to_have_text(header_texts("Run", "accuracy", "scale"))
    screenshot_both_themes(page, shots, "run-columns")
    page.locator("#nbvc-runs .jp-nbvc-columns > summary").click()  # the menu closes
    expect(run_rows(page).first.locator("[data-column='param:logged:scale']")).to_have_text(
        re.compile(r"^1(\.5)?$")
    )
    page.get_by_role("button", name="Sort by scale").click()
    expect(run_rows(page).first.locator("[data-column='param:logged:scale']")).to_have_text("1.5")
    assert page.locator("#nbvc-runs .jp-nbvc-table").evaluate("e => e.scrollWidth <= e.clientWidth")
    # a new page of the same lab (the same repo): the same columns
    page.reload()
    page.locator('.jp-SideBar [data-id="nbvc-panel"]').wait_for()
    if not panel(page).is_visible():
        page.locator('.jp-SideBar [data-id="nbvc-panel"]').click()
    show_tab(page, "Runs")
    expect(headers).to_have_text(header_texts("Run", "accuracy", "scale"))
    stored = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('nbvc:run-columns:'))"
    )
    assert len(stored) == 1
    page.locator("#nbvc-runs .jp-nbvc-columns > summary").click()
    page.get_by_role("group", name="Columns shown").get_by_role(
        "button", name="Default columns"
    ).click()
    expect(headers).to_have_text(header_texts("Run", "accuracy", "loss"))
    page.locator("#nbvc-runs .jp-nbvc-columns > summary").click()


def test_the_jobs_toolbar_is_one_row(page: Page) -> None:
    show_tab(page, "Jobs")
    buttons = page.locator(".jp-nbvc-jobs-view .jp-nbvc-toolbar button")
    expect(buttons).to_have_count(4)
    tops = buttons.evaluate_all("es => es.map(e => Math.round(e.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, tops
    assert outside(buttons, panel(page)) == []
    assert clipped(buttons) == []
    for name in ("Push", "Pull"):  # icons, named and explained by their title
        button = buttons.and_(page.get_by_role("button", name=name, exact=True))
        expect(button).to_have_attribute("title", re.compile(rf"^{name}: "))
        expect(button.locator("svg")).to_be_visible()


def test_job_progress_is_readable(page: Page) -> None:
    show_tab(page, "Jobs")
    page.locator(".jp-nbvc-jobs-view").get_by_role("button", name="Repro", exact=True).click()
    job = page.locator(".jp-nbvc-job").first
    bar = job.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(job.locator(".jp-nbvc-job-message")).to_contain_text("0/1 stages · 0%")
    expect(job.locator(".jp-nbvc-job-state")).to_have_text("succeeded", timeout=60_000)
    expect(bar).to_have_attribute("aria-valuenow", "100")
    label = job.locator(".jp-nbvc-job-message")
    expect(label).to_contain_text("1/1 stages · 100%")
    box = bar.bounding_box()
    assert box is not None and box["width"] >= 200 and box["height"] >= 6
    for dark in (False, True):
        set_theme(page, dark)
        assert label.evaluate(CONTRAST) >= 4.5, dark
    set_theme(page, False)
    assert clipped(label) == []
    assert clipped(job.locator(".jp-nbvc-job-header > *")) == []
    assert outside(job.locator(".jp-nbvc-job-header > *, .jp-nbvc-log pre"), panel(page)) == []
    assert job.locator(".jp-nbvc-log pre").evaluate("e => e.scrollWidth <= e.clientWidth")
