"""`nbvc runs --filter` in MLflow's search syntax, and sorting with directions."""

from __future__ import annotations

import json

import pytest

from nbvc.core import FilterError, Repo
from nbvc.core.runs.run_record import RunRecord, RunStatus, write_run
from tests.pipeline.kit import Project


def add(repo: Repo, n: int, **fields: object) -> RunRecord:
    record = RunRecord(f"{n:016x}-{n:08x}", source="python", started=1_700_000_000.0 + n, **fields)  # type: ignore[arg-type]
    return write_run(repo, record)


@pytest.fixture
def runs(project: Project) -> Project:
    with project.repo() as repo:
        add(
            repo,
            1,
            name="rf-a",
            status=RunStatus.COMPLETED,
            tags={"stage": "prod"},
            params={"logged": {"model": "rf", "lr": 0.1}},
            metrics={"logged": {"accuracy": 0.95, "loss": 0.2}},
        )
        add(
            repo,
            2,
            name="rf-b",
            status=RunStatus.FAILED,
            tags={"stage": "dev"},
            params={"logged": {"model": "rf", "lr": 0.3}},
            metrics={"logged": {"accuracy": 0.85, "loss": 0.4}},
        )
        add(
            repo,
            3,
            name="gb-a",
            status=RunStatus.COMPLETED,
            tags={"stage": "prod"},
            params={"logged": {"model": "gb", "lr": 0.01}},
            metrics={"logged": {"accuracy": 0.91, "loss": 0.1}},
        )
        add(repo, 4, name="Fold-1", params={"logged": {"model": "RF"}})
    return project  # fmt: skip


def names(project: Project, text: str, sort: str | None = None) -> list[str]:
    with project.repo() as repo:
        return [r["name"] for r in repo.runs.search(text, sort)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("metrics.accuracy > 0.9", ["gb-a", "rf-a"]),
        ("metrics.accuracy > 0.9 and params.model = 'rf' and tags.stage = 'prod'", ["rf-a"]),
        ("metrics.accuracy >= 0.85 AND metrics.loss < 0.3", ["gb-a", "rf-a"]),
        ("params.model != 'rf'", ["Fold-1", "gb-a"]),
        ("params.lr > 0.05", ["rf-b", "rf-a"]),
        ("params.lr = '0.3'", ["rf-b"]),
        ("params.model IN ('gb', 'RF')", ["Fold-1", "gb-a"]),
        ("params.model NOT IN ('rf')", ["Fold-1", "gb-a"]),
        ("attributes.status = 'failed'", ["rf-b"]),
        ("status = 'FINISHED'", ["Fold-1", "gb-a", "rf-a"]),
        ("run_name LIKE 'rf-%'", ["rf-b", "rf-a"]),
        ("run_name LIKE 'fold%'", []),  # LIKE keeps case
        ("run_name ILIKE 'fold%'", ["Fold-1"]),
        ("tags.`stage` = 'dev'", ["rf-b"]),
        ("start_time > 1700000002500", ["Fold-1", "gb-a"]),  # milliseconds, as MLflow writes
        ("start_time >= 1700000003", ["Fold-1", "gb-a"]),
        ("start_time < '2030-01-01'", ["Fold-1", "gb-a", "rf-b", "rf-a"]),
        ("metrics.missing > 0", []),
    ],
)
def test_mlflow_search_syntax(runs: Project, text: str, expected: list[str]) -> None:
    assert names(runs, text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("metrics.acc >", "ends too early"),
        ("metrics.acc > 0.9 or params.x = 'a'", "has no OR"),
        ("metrics.acc = 'high'", "compared with a number"),
        ("colour = 'red'", "unknown key 'colour'"),
        ("params.model IN 'rf'", "list in parentheses"),
        ("metrics.acc LIKE 'x%'", "LIKE compares text"),
        ("start_time > 'yesterday'", "is not a time"),
        ("metrics.acc > 0.9 and", "must follow 'and'"),
    ],
)
def test_bad_filters_say_what_is_wrong(runs: Project, text: str, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        names(runs, text)
    result = runs.nbvc("runs", "--filter", text)
    assert result.code == 1 and result.err.startswith("nbvc: error: filter")


def test_sort_follows_each_metrics_direction(runs: Project) -> None:
    assert names(runs, "metrics.loss > 0", "loss") == ["gb-a", "rf-a", "rf-b"]  # lower is better
    assert names(runs, "metrics.loss > 0", "accuracy") == ["rf-a", "gb-a", "rf-b"]  # higher
    assert names(runs, "metrics.loss > 0", "-loss") == ["rf-b", "rf-a", "gb-a"]
    assert names(runs, "metrics.loss > 0", "accuracy:asc") == ["rf-b", "gb-a", "rf-a"]
    assert names(runs, "", "params.lr:desc")[:3] == ["rf-b", "rf-a", "gb-a"]


def test_the_cli_filters_and_sorts(runs: Project) -> None:
    table = runs.nbvc("runs", "--filter", "tags.stage = 'prod'", "--sort", "loss")
    lines = table.out.splitlines()[1:]  # below the params/metrics group titles
    assert table.code == 0 and [line.split()[1] for line in lines[1:]] == ["gb-a", "rf-a"]
    found = json.loads(runs.nbvc("runs", "--json", "--filter", "params.model = 'gb'").out)
    assert [r["name"] for r in found] == ["gb-a"]
    assert runs.nbvc("runs", "--filter", "metrics.loss > 5").out.strip() == "No runs match."
