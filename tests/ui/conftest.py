"""Fixtures for the browser tests: Chromium through Playwright, and helpers for the lab page.

Run apart from the rest of the suite (``make test`` does): ``pytest -m ui tests/ui``. Set
``NBVC_SCREENSHOTS=docs/screenshots`` to refresh the README's screenshots.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect, sync_playwright

from tests.ui import demo
from tests.ui.lab import CHROMIUM, CHROMIUM_ARGS, Lab, lab_environment, running_lab

VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
PANEL_WIDTH = 470


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (README.md, Tests)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$NBVC_SCREENSHOTS``, else a temporary folder."""
    chosen = os.environ.get("NBVC_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab on the small demo repo (see :mod:`tests.ui.demo`); a module that needs another
    project defines its own ``lab``."""
    root = tmp_path_factory.mktemp("project")
    home = tmp_path_factory.mktemp("home")
    demo.make_small(root, lab_environment(home), tmp_path_factory.mktemp("store"))
    with running_lab(root, home) as running:
        yield running


@pytest.fixture(scope="module")
def page(browser: Browser, lab: Lab) -> Iterator[Page]:
    """The lab with the panel at its default width: what a new user sees (and the screenshots)."""
    opened = open_lab(browser, lab, width=None)
    yield opened
    opened.close()


def open_lab(browser: Browser, lab: Lab, width: int | None = PANEL_WIDTH) -> Page:
    """A page with JupyterLab loaded, the nbvc panel open and widened to ``width`` (None: the
    width JupyterLab gives it, what a new user sees)."""
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(lab.lab_url())
    page.locator('.jp-SideBar [data-id="nbvc-panel"]').click()
    page.locator("#nbvc-panel").wait_for()
    if width is not None:
        widen_left_area(page, width)
    return page


def clipped(locator: Locator) -> list[str]:
    """The texts among ``locator``'s elements cut off at their right edge (or by an ellipsis)."""
    found: list[str] = locator.evaluate_all(
        """elements => elements
            .filter(e => e.getClientRects().length > 0 && e.scrollWidth > e.clientWidth + 1)
            .map(e => `${e.textContent.trim()} (${e.scrollWidth} > ${e.clientWidth})`)"""
    )
    return found


def outside(locator: Locator, container: Locator) -> list[str]:
    """The texts among ``locator``'s visible elements that stick out of ``container``'s right
    edge."""
    box = container.bounding_box()
    assert box is not None
    found: list[str] = locator.evaluate_all(
        """(elements, right) => elements
            .filter(e => e.getClientRects().length > 0)
            .filter(e => e.getBoundingClientRect().right > right + 0.5)
            .map(e => `${e.textContent.trim()} (to ${e.getBoundingClientRect().right})`)""",
        box["x"] + box["width"],
    )
    return found


def widen_left_area(page: Page, width: int) -> None:
    """Drag the handle between the left area and the main area, as a user would."""
    handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
    box = handle.bounding_box()
    panel = page.locator("#nbvc-panel").bounding_box()
    assert box is not None and panel is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 1, y)
    page.mouse.down()
    page.mouse.move(panel["x"] + width, y, steps=5)
    page.mouse.up()


def show_tab(page: Page, name: str) -> None:
    page.locator("#nbvc-panel .lm-TabBar-tab", has_text=name).click()
    page.locator(f"#nbvc-{name.lower()}").wait_for(state="visible")


def set_theme(page: Page, dark: bool) -> None:
    theme = "JupyterLab Dark" if dark else "JupyterLab Light"
    page.evaluate(
        "theme => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )
    light = "false" if dark else "true"
    page.wait_for_function(f"document.body.dataset.jpThemeLight === '{light}'")
    page.wait_for_timeout(300)  # let the theme's CSS variables apply everywhere


def dismiss_notifications(page: Page) -> None:
    page.evaluate("window.jupyterapp.commands.execute('apputils:dismiss-notification', {})")
    expect(page.locator(".Toastify__toast")).to_have_count(0)


def screenshot_both_themes(page: Page, folder: Path, name: str) -> None:
    """``name-light.png`` and ``name-dark.png`` of the whole window; back to light after."""
    page.mouse.move(5, 5)  # no hover highlight in the pictures
    # JupyterLab opens a launcher in an empty main area: not a bare grey area in the pictures
    page.locator("#jp-main-dock-panel .lm-TabBar-tab").first.wait_for()
    dismiss_notifications(page)
    page.screenshot(path=str(folder / f"{name}-light.png"))
    set_theme(page, dark=True)
    dismiss_notifications(page)
    page.screenshot(path=str(folder / f"{name}-dark.png"))
    set_theme(page, dark=False)
