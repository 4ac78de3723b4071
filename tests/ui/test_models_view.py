"""The Models tab in a real JupyterLab and Chromium: the registry a notebook filled (autolog
of a scikit-learn fit and a model logged by hand, an alias set), and a run's artifacts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from nbvc.core.repo import Repo
from nbvc.nbexec import execute_notebook
from tests.ui.conftest import open_lab, screenshot_both_themes, show_tab
from tests.ui.demo import write_notebook
from tests.ui.lab import Lab, lab_environment, running_lab

pytestmark = pytest.mark.ui

CELLS: list[tuple[str, str]] = [
    ("setup", "%load_ext nbvc\n%nbvc_autolog"),
    (
        "train",
        "import nbvc\nfrom sklearn.datasets import load_iris\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "X, y = load_iris(return_X_y=True)\n"
        "nbvc.start_run(name='iris-baseline')\n"
        "model = LogisticRegression(max_iter=300).fit(X, y)\n"
        "nbvc.log_dict({'classes': 3}, 'labels')\n"
        "nbvc.log_text('first try', 'notes.txt')",
    ),
    ("by-hand", "nbvc.log_model({'threshold': 0.5}, 'rules')\nnbvc.end_run()"),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("models-project")
    home = tmp_path_factory.mktemp("home")
    Repo.init(str(root))[0].close()
    write_notebook(root / "train.ipynb", CELLS)
    execute_notebook(str(root / "train.ipynb"), env=lab_environment(home), timeout=180)
    with Repo.open(str(root)) as repo:
        repo.models.set_alias("LogisticRegression", "prod", "v1")
    with running_lab(root, home) as running:
        yield running


@pytest.fixture(scope="module")
def page(browser: Browser, lab: Lab) -> Iterator[Page]:
    opened = open_lab(browser, lab)
    yield opened
    opened.close()


def test_models_are_listed_and_a_run_shows_its_artifacts(page: Page, shots: Path) -> None:
    show_tab(page, "Models")
    view = page.locator("#nbvc-models")
    model = view.get_by_role("region", name="Model LogisticRegression")
    expect(model.locator(".jp-nbvc-model-version-name")).to_have_text(["v1"])
    expect(model.locator(".jp-nbvc-alias")).to_have_text(["@prod"])
    expect(model).to_contain_text("sklearn")
    expect(view.get_by_role("region", name="Model rules")).to_contain_text("python")
    model.locator(".jp-nbvc-model-run").click()
    artifacts = view.get_by_role("region", name="Artifacts of Run iris-baseline")
    names = artifacts.locator(".jp-nbvc-run-artifact .jp-nbvc-path")
    expect(names).to_have_count(4)  # autolog stores its model on the run's thread: any order
    assert sorted(names.all_text_contents()) == [
        "LogisticRegression",
        "labels.json",
        "notes.txt",
        "rules",
    ]
    screenshot_both_themes(page, shots, "models")
    link = artifacts.get_by_role("link", name="notes.txt")
    with page.expect_download() as downloading:  # the browser's session cookie authenticates it
        link.click()
    download = downloading.value
    assert download.suggested_filename == "notes.txt"
    assert Path(download.path()).read_text(encoding="utf-8") == "first try"
    model.locator(".jp-nbvc-model-run").click()  # again: closes the artifacts
    expect(artifacts).to_have_count(0)


def test_the_runs_view_filters_in_mlflow_syntax(page: Page) -> None:
    show_tab(page, "Runs")
    view = page.locator("#nbvc-runs")
    count = view.locator(".jp-nbvc-count")
    expect(count).to_have_text("1 run")
    box = view.get_by_role("searchbox", name="Filter runs")
    box.fill("metrics.training_accuracy_score > 0.99")
    box.press("Enter")
    expect(count).to_have_text("0 runs")
    box.fill("metrics.training_accuracy_score >")
    box.press("Enter")
    expect(count).to_contain_text("ends too early")
    box.fill("tags.estimator_class LIKE '%LogisticRegression'")
    box.press("Enter")
    expect(count).to_have_text("1 run")
