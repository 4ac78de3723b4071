"""The side panel in a real JupyterLab and Chromium: what a user sees and does.

One JupyterLab serves a repo made by running ``train.ipynb`` in a real kernel (see
:mod:`tests.ui.demo`); the tests run in order on one page, as one user session would.
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.ui import demo
from tests.ui.conftest import clipped, screenshot_both_themes, show_tab
from tests.ui.lab import Lab, lab_environment

pytestmark = pytest.mark.ui


# The notebook in the main area has rendered its active cell, marked it active, and that cell
# holds this text.
CELL_SHOWN = """text => {
    const cell = window.jupyterapp.shell.currentWidget?.content?.activeCell;
    return !!cell && !cell.isPlaceholder() && cell.node.classList.contains('jp-mod-active')
        && cell.model.sharedModel.getSource().includes(text);
}"""


def artifact_row(page: Page, path: str) -> Locator:
    return page.locator(".jp-nbvc-artifact", has=page.locator(".jp-nbvc-path", has_text=path))


def version_row(page: Page, version: str) -> Locator:
    return page.locator(
        ".jp-nbvc-version-row", has=page.locator(".jp-nbvc-version-name", has_text=version)
    )


def listing_item(page: Page, name: str) -> Locator:
    """A file-browser item by its exact name (not ``name.nbvc``)."""
    return page.locator(".jp-DirListing-item").filter(has=page.get_by_text(name, exact=True))


def wait_for_file(path: Path, text: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while path.read_text() != text:
        assert time.monotonic() < deadline, f"{path} still holds {path.read_text()!r}"
        time.sleep(0.1)


def close_main_area(page: Page) -> None:
    """Close every main-area tab, discarding notebook changes (opening may upgrade the file)."""
    page.evaluate("() => { window.jupyterapp.commands.execute('application:close-all'); }")
    discard = page.locator(".jp-Dialog").get_by_role("button", name="Discard")
    with contextlib.suppress(PlaywrightTimeout):  # nothing unsaved: no dialog
        discard.click(timeout=3000)
    expect(page.locator(".jp-Dialog")).to_have_count(0)


def test_artifacts_and_their_versions_are_listed(page: Page, shots: Path) -> None:
    panel = page.locator("#nbvc-panel")
    expect(panel.locator(".jp-nbvc-repo")).to_have_text("/ · 2 tracked")
    expect(artifact_row(page, "data/raw.csv").locator(".jp-nbvc-badge")).to_have_text("clean")
    expect(artifact_row(page, "data/raw.csv")).to_contain_text("v1 · base")
    artifact_row(page, "model.txt").click()
    details = page.locator(".jp-nbvc-details")
    expect(details.locator(".jp-nbvc-details-title")).to_have_text("model.txt")
    expect(version_row(page, "v2")).to_contain_text("retrained, larger scale")
    expect(version_row(page, "v2").locator(".jp-nbvc-tag")).to_have_text("best")
    expect(version_row(page, "v2").locator(".jp-nbvc-current")).to_have_text("current")
    expect(version_row(page, "v1")).to_contain_text("first model")
    expect(version_row(page, "v1")).to_contain_text("made by a notebook cell")
    # dates with the year, as the CLI prints them, whole at the default width
    year = time.strftime("%Y")
    expect(version_row(page, "v1")).to_contain_text(re.compile(rf"{year}-\d\d-\d\d \d\d:\d\d"))
    assert clipped(version_row(page, "v1").locator(".jp-nbvc-version-meta")) == []


def test_the_artifact_list_works_from_the_keyboard(page: Page) -> None:
    listbox = page.get_by_role("listbox", name="Tracked artifacts")
    expect(artifact_row(page, "model.txt")).to_be_visible()
    listbox.focus()
    page.keyboard.press("Home")
    page.keyboard.press("Enter")
    expect(page.locator(".jp-nbvc-details-title")).to_have_text("data/raw.csv")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(".jp-nbvc-details-title")).to_have_text("model.txt")
    expect(artifact_row(page, "model.txt").locator("xpath=..")).to_have_attribute(
        "aria-selected", "true"
    )


def test_diff_two_versions(page: Page, shots: Path) -> None:
    version_row(page, "v1").get_by_role("checkbox").check()
    version_row(page, "v2").get_by_role("checkbox").check()
    page.get_by_role("button", name="Diff v1 ↔ v2").click()
    diff = page.locator(".jp-nbvc-diff")
    expect(diff.locator(".jp-nbvc-diff-header")).to_contain_text("v1 → v2")
    expect(diff.locator(".jp-nbvc-diff-header")).to_contain_text("1 modified")
    screenshot_both_themes(page, shots, "artifacts")


def test_checkout_from_the_panel_restores_the_file(page: Page, lab: Lab) -> None:
    model = lab.root / "model.txt"
    page.get_by_role("button", name="Check out v1").click()
    wait_for_file(model, demo.MODEL_V1)
    expect(page.locator(".jp-toast-message", has_text="Restored model.txt to v1")).to_be_visible()
    expect(version_row(page, "v1").locator(".jp-nbvc-current")).to_have_text("current")
    expect(artifact_row(page, "model.txt")).to_contain_text("v1 (latest v2)")


def test_unsaved_changes_are_a_notification_with_a_way_out(page: Page, lab: Lab) -> None:
    model = lab.root / "model.txt"
    model.write_text("edited by hand\n")
    expect(artifact_row(page, "model.txt").locator(".jp-nbvc-badge")).to_have_text("modified")
    page.get_by_role("button", name="Check out v2").click()
    toast = page.locator(".Toastify__toast", has_text="not saved")
    expect(toast).to_be_visible()
    assert model.read_text() == "edited by hand\n"
    toast.get_by_role("button", name="Discard changes and check out").click()
    wait_for_file(model, "model scale=1.5 mean=9.5\n")
    expect(artifact_row(page, "model.txt").locator(".jp-nbvc-badge")).to_have_text("clean")


def test_lineage_shows_the_producing_cell_and_opens_it(page: Page, shots: Path) -> None:
    artifact_row(page, "model.txt").click()
    page.locator(".jp-nbvc-details").get_by_role("button", name="Lineage").click()
    tree = page.get_by_role("tree", name="Lineage of model.txt")
    producer = tree.locator(".jp-nbvc-node[data-type='cell'] .jp-nbvc-link").first
    expect(producer).to_contain_text("train.ipynb cell retrain")
    expect(tree).to_contain_text("data/raw.csv@v1")
    # opened as on a loaded machine (the page's CPU slowed 20 times): JupyterLab then takes
    # seconds to render a notebook it opens, a few cells at a time when the page is idle
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 20})
    try:
        producer.click()
        # the notebook is open, its cell rendered and active: then look at what the user sees
        page.wait_for_function(CELL_SHOWN, arg="second = nbvc.start_run()")
    finally:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        cdp.detach()
    active = page.locator(".jp-NotebookPanel .jp-Cell.jp-mod-active")
    expect(active).to_contain_text("second = nbvc.start_run()")
    expect(active).to_be_in_viewport()
    screenshot_both_themes(page, shots, "lineage")
    close_main_area(page)


def test_compare_two_runs_with_deltas_and_a_chart(page: Page, shots: Path) -> None:
    show_tab(page, "Runs")
    rows = page.locator(".jp-nbvc-run:not(.jp-nbvc-run-loading)")
    expect(rows).to_have_count(2)
    expect(page.locator(".jp-nbvc-runs-view .jp-nbvc-count")).to_have_text("2 runs")
    headers = page.locator(".jp-nbvc-table-header [role=columnheader]")
    expect(headers).to_contain_text(["Run", "accuracy", "loss"])
    expect(rows.first.get_by_role("img", name="completed")).to_be_visible()
    page.get_by_role("button", name="Sort by accuracy").click()
    expect(rows.first.locator("[data-column='metric:logged:accuracy']")).to_have_text("0.75")
    page.get_by_role("button", name="Sort by accuracy").click()
    expect(rows.first.locator("[data-column='metric:logged:accuracy']")).to_have_text("0.5")
    grid = page.get_by_role("grid", name="Runs")
    grid.focus()
    page.keyboard.press("Home")
    page.keyboard.press("Space")
    rows.nth(1).get_by_role("checkbox").check()
    expect(page.get_by_role("button", name="Compare (2)")).to_be_enabled()
    screenshot_both_themes(page, shots, "runs")
    page.get_by_role("button", name="Compare (2)").click()
    table = page.locator(".jp-nbvc-compare-table table")
    accuracy = table.locator("tr", has_text="accuracy")
    expect(accuracy.locator("td").nth(0)).to_have_text("0.5")
    expect(accuracy.locator("td").nth(1)).to_have_text(re.compile(r"0\.75\s*\+0\.25 \(\+50%\)"))
    scale = table.locator("tr[data-kind='param']", has_text="scale")
    expect(scale.locator("td").nth(1)).to_contain_text("+0.5 (+50%)")
    chart = page.locator(".jp-nbvc-plot[data-plot='metric:loss']")
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    screenshot_both_themes(page, shots, "compare")
    close_main_area(page)


def test_repro_job_shows_progress_and_completes(page: Page, shots: Path, lab: Lab) -> None:
    show_tab(page, "Jobs")
    page.locator(".jp-nbvc-jobs-view").get_by_role("button", name="Repro", exact=True).click()
    job = page.locator(".jp-nbvc-job").first
    step = job.locator(".jp-nbvc-steps li", has_text="evaluate")
    expect(step.locator(".jp-nbvc-badge")).to_have_text("running")
    expect(job.locator(".jp-nbvc-job-message")).to_contain_text("0/1 stages")
    expect(job.locator(".jp-nbvc-job-state")).to_have_text("succeeded", timeout=60_000)
    expect(step.locator(".jp-nbvc-badge")).to_have_text("ran")
    expect(job.locator(".jp-nbvc-log pre")).to_contain_text("[evaluate] done")
    assert (lab.root / "report.txt").exists()
    job.locator(".jp-nbvc-log summary").click()
    screenshot_both_themes(page, shots, "jobs")
    show_tab(page, "Runs")
    expect(page.locator(".jp-nbvc-runs-view .jp-nbvc-count")).to_have_text("3 runs")


def test_a_job_can_be_cancelled(page: Page) -> None:
    show_tab(page, "Jobs")
    jobs = page.locator(".jp-nbvc-jobs-view")
    jobs.get_by_role("button", name="Repro all").click()
    job = page.locator(".jp-nbvc-job").first
    expect(job.locator(".jp-nbvc-job-state")).to_have_text("running")
    job.get_by_role("button", name="Cancel the repro job").click()
    expect(job.locator(".jp-nbvc-job-state")).to_have_text("cancelled", timeout=60_000)
    expect(page.locator(".jp-toast-message", has_text="nbvc repro was cancelled")).to_be_visible()


def test_push_and_pull_jobs(page: Page, lab: Lab) -> None:
    show_tab(page, "Jobs")
    jobs = page.locator(".jp-nbvc-jobs-view")
    jobs.get_by_role("button", name="Push", exact=True).click()
    push = page.locator(".jp-nbvc-job", has=page.locator(".jp-nbvc-job-kind", has_text="push"))
    expect(push.locator(".jp-nbvc-job-state")).to_have_text("succeeded", timeout=60_000)
    expect(push.locator(".jp-nbvc-log pre")).to_contain_text("pushed")
    (lab.root / "model.txt").unlink()
    jobs.get_by_role("button", name="Pull", exact=True).click()
    pull = page.locator(".jp-nbvc-job", has=page.locator(".jp-nbvc-job-kind", has_text="pull"))
    expect(pull.locator(".jp-nbvc-job-state")).to_have_text("succeeded", timeout=60_000)
    wait_for_file(lab.root / "model.txt", "model scale=1.5 mean=9.5\n")


def test_changes_made_by_a_kernel_appear_without_reload(page: Page, lab: Lab) -> None:
    show_tab(page, "Artifacts")
    cells = [
        ("setup", "%load_ext nbvc"),
        ("write", "open('fresh.csv', 'w').write('a,b\\n1,2\\n')"),
        ("version", '%version_add fresh.csv -m "from another kernel"'),
    ]
    demo.run_in_kernel(lab.root, "fresh.ipynb", cells, lab_environment(lab.root.parent / "k"))
    started = time.monotonic()
    expect(artifact_row(page, "fresh.csv")).to_be_visible(timeout=10_000)
    print(f"\nkernel change shown after {time.monotonic() - started:.1f} s")
    expect(page.locator("#nbvc-panel .jp-nbvc-repo")).to_have_text("/ · 4 tracked")


def test_file_browser_menu_versions_and_shows_history(page: Page, lab: Lab) -> None:
    (lab.root / "notes.txt").write_text("remember\n")
    page.locator('.jp-SideBar [data-id="filebrowser"]').click()
    page.get_by_title("Refresh the file browser.").click()
    listing_item(page, "notes.txt").click(button="right")
    page.locator(".lm-Menu-item", has_text="Version with nbvc").click()
    page.locator('.jp-SideBar [data-id="nbvc-panel"]').click()
    expect(artifact_row(page, "notes.txt")).to_be_visible(timeout=15_000)
    page.locator('.jp-SideBar [data-id="filebrowser"]').click()
    listing_item(page, "data").dblclick()
    listing_item(page, "raw.csv").click(button="right")
    page.locator(".lm-Menu-item", has_text="Show nbvc History").click()
    expect(page.locator(".jp-nbvc-details-title")).to_have_text("data/raw.csv")
    expect(version_row(page, "v1")).to_contain_text("raw data")


def test_commands_are_in_the_palette(page: Page) -> None:
    page.keyboard.press("Control+Shift+C")
    search = page.locator(".lm-CommandPalette-input")
    search.fill("nbvc")
    items = page.locator(".lm-CommandPalette-item")
    expect(items.filter(has_text="Repro Pipeline")).to_have_count(1)
    expect(items.filter(has_text="Show nbvc Runs")).to_have_count(1)
    expect(items.filter(has_text="Version with nbvc")).to_have_count(1)
    page.keyboard.press("Escape")
