"""The Experiments tab in a real JupyterLab and Chromium: a sweep's table with the best marked,
applying a run from it, a 1,000-point sweep, and cancelling a running sweep."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.experiments.kit import exp_project
from tests.ui.conftest import open_lab, screenshot_both_themes, show_tab
from tests.ui.lab import Lab, lab_environment, running_lab

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("project")
    home = tmp_path_factory.mktemp("home")
    env = lab_environment(home)
    exp_project(root)
    subprocess.run(
        [sys.executable, "-m", "nbvc.cli.main", "exp", "run", "-S", "train.lr=0.2,0.05,0.01",
         "-n", "panel"],
        cwd=root, env=env, check=True, capture_output=True,
    )  # fmt: skip
    with running_lab(root, home) as running:
        yield running


@pytest.fixture(scope="module")
def page(browser: Browser, lab: Lab) -> Iterator[Page]:
    opened = open_lab(browser, lab, width=None)  # the default width a new user sees
    yield opened
    opened.close()


def test_the_sweep_table_marks_the_best_and_applies_a_run(page: Page, lab: Lab) -> None:
    show_tab(page, "Experiments")
    sweep = page.get_by_role("grid", name="Sweep panel")
    expect(sweep.get_by_role("row")).to_have_count(3)
    best = sweep.locator('.jp-nbvc-best[title="best loss"]')
    expect(best).to_have_count(1)
    expect(best).to_contain_text("0.5")  # lr 0.05: the lowest loss
    row = sweep.get_by_role("row").filter(has_text="panel-3")
    row.get_by_role("button", name="Apply").click()
    model, params = Path(lab.root) / "model.bin", Path(lab.root) / "params.yaml"
    deadline = time.monotonic() + 30
    while not (
        model.exists()
        and model.read_text().startswith("model lr=0.01 ")
        and "lr: 0.01" in params.read_text()  # the apply job writes them one after the other
    ):
        assert time.monotonic() < deadline, "the run was not applied"
        time.sleep(0.2)


def test_pick_two_to_compare_and_sort(page: Page) -> None:
    show_tab(page, "Experiments")
    page.get_by_label("Sort by metric").select_option("loss")
    sweep = page.get_by_role("grid", name="Sweep panel")
    expect(sweep.get_by_role("row").first).to_contain_text("panel-2")
    page.get_by_label("Pick panel-1").check()
    page.get_by_label("Pick panel-2").check()
    page.get_by_role("button", name="Compare 2").click()
    expect(page.locator(".jp-nbvc-compare").first).to_be_visible()


def test_a_queued_1000_point_sweep_is_listed_whole_but_rendered_a_screenful_at_a_time(
    page: Page, lab: Lab, shots: Path
) -> None:
    sweep = subprocess.Popen(
        [sys.executable, "-m", "nbvc.cli.main", "exp", "run", "-q", "-n", "big",
         "-S", "train.epochs=range(1,1001)", "-S", "train.seconds=120"],
        cwd=lab.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        show_tab(page, "Experiments")
        page.locator(".jp-nbvc-sweep", has_text="big").get_by_role("button", name="big").click(
            timeout=30_000
        )
        expect(page.locator(".jp-nbvc-sweep-table .jp-nbvc-count")).to_have_text(
            "1000 experiments", timeout=30_000
        )
        rows = page.get_by_role("grid", name="Sweep big").get_by_role("row")
        assert rows.count() < 60  # a screenful and the overscan, not 1,000
        grid = page.get_by_role("grid", name="Sweep big")
        grid.focus()
        started = time.monotonic()
        page.keyboard.press("End")
        expect(grid.get_by_role("row").filter(has_text="big-1000")).to_be_visible()
        assert time.monotonic() - started < 2.0
        assert grid.get_by_role("row").count() < 60
        screenshot_both_themes(page, shots, "experiments")
    finally:
        subprocess.run(
            [sys.executable, "-m", "nbvc.cli.main", "exp", "cancel", "big"],
            cwd=lab.root, capture_output=True, check=False,
        )  # fmt: skip
        sweep.wait(timeout=60)


def test_a_running_sweep_can_be_cancelled(page: Page, lab: Lab) -> None:
    started = lab.api(
        "POST",
        "jobs",
        json={
            "kind": "exp_run",
            "args": {"set_params": ["train.lr=0.3,0.4", "train.seconds=60"], "name": "slow"},
        },
    )
    assert started.status_code == 202, started.text
    show_tab(page, "Experiments")
    slow = page.locator(".jp-nbvc-sweep", has_text="slow")
    slow.get_by_role("button", name="Cancel").click(timeout=60_000)
    expect(slow).to_contain_text("interrupted", timeout=30_000)
