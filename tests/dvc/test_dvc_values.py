"""Metrics, params and plots of a DVC project at any git revision, cached outputs included, and
the plots of every template as valid JSON."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from tests.dvc.kit import DvcProject


def strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def metrics(project: DvcProject, ref: str) -> dict[str, dict[str, float]]:
    shown: dict[str, dict[str, float]] = json.loads(
        project.nbvc("metrics", "show", ref, "--json").out
    )["metrics"]
    return shown


def params_diff(project: DvcProject, *flags: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(
        project.nbvc("params", "diff", "HEAD~1", "HEAD", *flags, "--json").out
    )["params"]
    return rows


def test_metrics_show_at_a_revision_reads_the_cached_output(project: DvcProject) -> None:
    project.nbvc("init", "-q")
    assert "/metrics.json" in project.read("eval/.gitignore").split()  # a cached output
    old = metrics(project, "HEAD~1")
    new = metrics(project, "HEAD")
    assert old["eval/metrics.json"]["w"] == pytest.approx(0.3)  # lr 0.1 at HEAD~1
    assert new["eval/metrics.json"]["w"] == pytest.approx(0.6)
    assert old["dvclive/metrics.json"]["loss"] == pytest.approx(3.3333)
    diff = json.loads(project.nbvc("metrics", "diff", "HEAD~1", "HEAD", "--json").out)
    assert ("eval/metrics.json", "w") in {(r["path"], r["name"]) for r in diff["metrics"]}


def test_a_cached_metric_missing_locally_comes_from_the_dvc_remote(project: DvcProject) -> None:
    project.nbvc("init", "--no-import", "-q")
    shutil.rmtree(project.path(".dvc/cache"))
    old = metrics(project, "HEAD~1")
    assert old["eval/metrics.json"]["w"] == pytest.approx(0.3)


def test_params_diff_all_lists_every_param_like_dvc(project: DvcProject) -> None:
    project.nbvc("init", "-q")
    rows = params_diff(project, "--all")
    names = {r["name"] for r in rows}
    assert names == {"prepare.split", "train.lr", "train.epochs", "unused"}
    changed = params_diff(project)
    assert [(r["name"], r["old"], r["new"]) for r in changed] == [("train.lr", 0.1, 0.2)]
    dvc = json.loads(project.dvc("params", "diff", "HEAD~1", "HEAD", "--all", "--json").out)
    assert set(dvc["params.yaml"]) == names


def test_plots_show_every_template_as_valid_json(project: DvcProject) -> None:
    project.nbvc("init", "-q")
    specs = strict_json(project.nbvc("plots", "show", "workspace", "--json").out)
    by_title = {spec["title"]: spec for spec in specs}
    assert set(by_title) == {
        "confusion",
        "confusion_normalized",
        "ROC",
        "roc_simple",
        "roc_scatter",
        "roc_smooth",
        "importance",
        "importance_sorted",
        "roc_custom",
        "eval/importance.png",
        "dvclive/plots/metrics/loss.tsv",
    }
    assert by_title["confusion"]["facet"]["column"]["field"] == "rev"
    assert by_title["confusion_normalized"]["transform"][-1]["as"] == "share"
    assert by_title["roc_scatter"]["mark"]["type"] == "point"
    assert by_title["roc_smooth"]["transform"][0]["loess"] == "tpr"
    assert by_title["importance_sorted"]["encoding"]["y"]["sort"] == "-x"
    assert by_title["importance"]["encoding"]["x"]["title"] == "importance"
    roc = by_title["ROC"]["data"]["values"]
    assert [p["tpr"] for p in roc][3:5] == [None, None]  # NaN and Infinity in the file
    custom = by_title["roc_custom"]
    assert custom["mark"]["type"] == "area" and "<DVC_METRIC" not in json.dumps(custom)
    assert "strokeDash" not in custom["encoding"]  # an optional anchor with no value: dropped
    image = by_title["eval/importance.png"]["hconcat"][0]
    assert image["data"]["values"][0]["url"].startswith("data:image/png;base64,")
    assert (image["width"], image["height"]) == (24, 16)


def test_plots_diff_draws_two_revisions(project: DvcProject) -> None:
    project.nbvc("init", "-q")
    specs = strict_json(project.nbvc("plots", "diff", "HEAD~1", "HEAD", "--json").out)
    roc = next(s for s in specs if s["title"] == "ROC")
    assert {p["rev"] for p in roc["data"]["values"]} == {"HEAD~1", "HEAD"}
    confusion = next(s for s in specs if s["title"] == "confusion")
    assert {p["rev"] for p in confusion["data"]["values"]} == {"HEAD~1", "HEAD"}
    image = next(s for s in specs if s["title"] == "eval/importance.png")
    assert [v["title"] for v in image["hconcat"]] == ["HEAD~1", "HEAD"]  # a cached output
    page = project.nbvc("plots", "diff", "--out", str(project.home / "diff.html"))
    assert page.code == 0 and "plot(s)" in page.out


def test_runs_keep_their_plots(project: DvcProject) -> None:
    project.set_param("train", "lr", 0.3)
    assert project.nbvc("repro").code == 0
    specs = strict_json(project.nbvc("plots", "show", "--json").out)  # the latest run
    titles = {s["title"] for s in specs}
    assert {"loss", "confusion", "eval/importance.png", "roc_custom"} <= titles


def test_declared_artifacts_are_listed(project: DvcProject) -> None:
    project.set_param("train", "lr", 0.3)
    project.nbvc("repro")
    listed = json.loads(project.nbvc("artifacts", "--json").out)
    assert [(a["name"], a["type"], a["path"]) for a in listed] == [
        ("model", "model", "model.json"),
        ("prepared", "dataset", "data/prepared"),
    ]
    assert listed[0]["labels"] == ["linear", "tiny"] and listed[0]["version"] == "v1"
    models = project.nbvc("models")
    assert "model.json" in models.out and "data/prepared" not in models.out
