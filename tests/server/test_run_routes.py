"""The runs routes: pages of runs, one run, params/metrics and their diff, plots."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nbvc.core.repo import Repo
from nbvc.core.runs.journal import Journal
from nbvc.core.runs.run_record import RunRecord, write_run
from nbvc.core.storage.record_store import new_id
from tests.conftest import Cli
from tests.server.conftest import Api


class Runs:
    """A repo at ``lab/`` whose runs are written directly as records (fast, exact values)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = 1_700_000_000.0

    def log(
        self, metrics: dict[str, Any], params: dict[str, Any] | None = None, **extra: Any
    ) -> str:
        """A finished run of logged values; returns its id."""
        self.clock += 60
        run_id = new_id()
        series = {
            name: [[0, value / 2, self.clock], [1, value, self.clock + 1]]
            for name, value in metrics.items()
        }
        with Repo.open(str(self.path)) as repo:
            write_run(
                repo,
                RunRecord.from_record(
                    {
                        "id": run_id,
                        "source": "python",
                        "status": extra.get("status", "completed"),
                        "started": self.clock,
                        "ended": self.clock + 5,
                        "duration": extra.get("duration", 5.0),
                        "env": {"git": None, "host": "test", "python": "3.11"},
                        "params": {"logged": params} if params else {},
                        "metrics": {"logged": metrics} if metrics else {},
                        "series": series,
                        "stages": {},
                    }
                ),
            )
        return run_id


@pytest.fixture
def runs(jp_root_dir: Path) -> Iterator[Runs]:
    path = jp_root_dir / "lab"
    path.mkdir()
    Repo.init(str(path))[0].close()
    yield Runs(path)


def short(run_id: str) -> str:
    return run_id.rsplit("-", 1)[-1]


async def test_no_runs_yet(api: Api, runs: Runs) -> None:
    page = await api.ok("GET", "runs", path="lab")
    assert page == {"total": 0, "offset": 0, "limit": 100, "runs": [], "active": [], "keys": []}


async def test_runs_newest_first_with_values_and_keys(api: Api, runs: Runs) -> None:
    first = runs.log({"acc": 0.5}, {"lr": 0.1})
    second = runs.log({"acc": 0.7, "loss": 0.2}, {"lr": 0.2})
    page = await api.ok("GET", "runs", path="lab")
    assert page["total"] == 2
    assert [r["id"] for r in page["runs"]] == [second, first]
    newest = page["runs"][0]
    assert newest["short_id"] == short(second)
    assert newest["metrics"] == {"logged": {"acc": 0.7, "loss": 0.2}}
    assert newest["params"] == {"logged": {"lr": 0.2}}
    assert newest["status"] == "completed" and newest["source"] == "python"
    assert {(k["kind"], k["name"], k["runs"]) for k in page["keys"]} == {
        ("metric", "acc", 2),
        ("metric", "loss", 1),
        ("param", "lr", 2),
    }


async def test_sort_by_metric_puts_runs_without_it_last(api: Api, runs: Runs) -> None:
    low = runs.log({"acc": 0.1})
    none = runs.log({"loss": 1.0})
    high = runs.log({"acc": 0.9})
    mid = runs.log({"acc": 0.5})
    desc = await api.ok("GET", "runs", path="lab", sort="metric", name="acc")
    assert [r["id"] for r in desc["runs"]] == [high, mid, low, none]
    asc = await api.ok(
        "GET", "runs", path="lab", sort="metric", name="acc", source="logged", order="asc"
    )
    assert [r["id"] for r in asc["runs"]] == [low, mid, high, none]
    other_file = await api.ok(
        "GET", "runs", path="lab", sort="metric", name="acc", source="metrics.json"
    )
    assert [r["id"] for r in other_file["runs"]] == [mid, high, none, low]  # none has it: newest


async def test_sort_by_column_and_pages(api: Api, runs: Runs) -> None:
    ids = [runs.log({"acc": i / 10}, duration=float(10 - i)) for i in range(7)]
    by_duration = await api.ok("GET", "runs", path="lab", sort="duration", order="asc")
    assert [r["id"] for r in by_duration["runs"]] == ids[::-1]
    pages = [
        await api.ok("GET", "runs", path="lab", offset=offset, limit=3) for offset in (0, 3, 6)
    ]
    assert [len(p["runs"]) for p in pages] == [3, 3, 1]
    assert [r["id"] for p in pages for r in p["runs"]] == ids[::-1]
    assert all(p["total"] == 7 for p in pages)


async def test_open_runs_are_listed_as_active(api: Api, runs: Runs) -> None:
    runs.log({"acc": 0.5})
    run_id = new_id()
    with Repo.open(str(runs.path)) as repo:
        journal = Journal.create(repo, run_id, "python")
    journal.append({"type": "metric", "name": "acc", "value": 0.25, "step": 0, "time": time.time()})
    page = await api.ok("GET", "runs", path="lab")
    assert page["total"] == 1
    assert [(r["id"], r["status"]) for r in page["active"]] == [(run_id, "running")]
    assert page["active"][0]["metrics"] == {"logged": {"acc": 0.25}}
    detail = await api.ok("GET", f"runs/{short(run_id)}", path="lab")
    assert detail["status"] == "running" and detail["series"]["acc"][0][1] == 0.25


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "metric"}, "name the metric"),
        ({"sort": "colour"}, "'sort' must be one of"),
        ({"name": "acc"}, "go with sort=metric"),
        ({"order": "up"}, "'order' must be one of"),
        ({"limit": "0"}, "'limit' must be a whole number from 1 to 500"),
        ({"limit": "501"}, "'limit'"),
        ({"offset": "-1"}, "'offset'"),
        ({"offset": "²"}, "'offset'"),
        ({"offset": "9" * 5000}, "not a valid value"),
    ],
)
async def test_bad_list_parameters_are_400(
    api: Api, runs: Runs, params: dict[str, str], message: str
) -> None:
    answer = await api.get("runs", path="lab", **params)
    assert answer.status == 400
    assert message in answer.body["message"]


async def test_one_run_by_full_or_short_id(api: Api, runs: Runs) -> None:
    run_id = runs.log({"acc": 0.5}, {"lr": 0.1})
    for ref in (run_id, short(run_id), run_id[:20]):
        run = await api.ok("GET", f"runs/{ref}", path="lab")
        assert run["id"] == run_id
        assert run["series"] == {
            "acc": [
                [0, 0.25, pytest.approx(run["started"])],
                [1, 0.5, pytest.approx(run["started"] + 1)],
            ]
        }
        assert run["params"] == {"logged": {"lr": 0.1}}
        assert run["stages"] == {} and run["plots"] == [] and run["pipeline"] is None


async def test_runs_are_named_as_every_front_end_names_them(
    api: Api, runs: Runs, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route resolves references like the CLI and the magics do (one resolver): ``last``,
    ``last~N``, and a prefix of a run still open."""
    first = runs.log({"acc": 0.5})
    second = runs.log({"acc": 0.7})
    with Repo.open(str(runs.path)) as repo:
        Journal.create(repo, "7fffffffffffffff-0pen0pen", "python")
    monkeypatch.chdir(runs.path)
    opened = "7fffffffffffffff-0pen0pen"
    for ref, expected in [("last", second), ("latest~1", first), ("7fffffff", opened)]:
        run = await api.ok("GET", f"runs/{ref}", path="lab")
        shown = cli.ok("metrics", "show", "--json", ref)
        assert run["id"] == expected and short(expected) in shown, ref
    assert (await api.get("runs/last~2", path="lab")).status == 404


async def test_unknown_or_malformed_run_ids(api: Api, runs: Runs) -> None:
    runs.log({"acc": 0.5})
    missing = await api.get("runs/deadbeef", path="lab")
    assert missing.status == 404 and "GET /nbvc/api/runs lists the runs" in missing.body["message"]
    assert (await api.get("runs/-x", path="lab")).status == 400
    assert (await api.get("runs/abcd", path="nowhere")).status == 404
    assert (await api.get("runs/abcd", path="../up")).status == 403


async def test_metrics_diff_between_two_runs_has_changes(api: Api, runs: Runs) -> None:
    a = runs.log({"acc": 0.5, "loss": 0.4}, {"lr": 0.1, "epochs": 3})
    b = runs.log({"acc": 0.75, "loss": 0.4}, {"lr": 0.2, "epochs": 3})
    diff = await api.ok("GET", "metrics/diff", path="lab", a=short(a), b=short(b))
    assert diff["a"] == short(a) and diff["b"] == short(b)
    assert diff["changes"] == [
        {
            "path": "logged",
            "name": "acc",
            "old": 0.5,
            "new": 0.75,
            "change": 0.25,
            "percent": 50.0,
            "tone": "good",
        }
    ]
    every = await api.ok("GET", "metrics/diff", path="lab", a=short(a), b=short(b), all="true")
    assert [(c["name"], c["change"]) for c in every["changes"]] == [("acc", 0.25), ("loss", 0.0)]
    params = await api.ok("GET", "params/diff", path="lab", a=a, b=b)
    assert [(c["name"], c["old"], c["new"]) for c in params["changes"]] == [("lr", 0.1, 0.2)]


async def test_metric_changes_are_good_or_bad_by_the_metrics_direction(
    api: Api, runs: Runs
) -> None:
    a = runs.log({"acc": 0.5, "val_loss": 0.4, "rmse": 2.0, "latency_p99": 9.0, "f1": 0.5})
    b = runs.log({"acc": 0.4, "val_loss": 0.3, "rmse": 2.5, "latency_p99": 8.0, "f1": 0.5})
    query = {"path": "lab", "a": short(a), "b": short(b), "all": "true"}
    diff = await api.ok("GET", "metrics/diff", **query)
    tones = {c["name"]: c["tone"] for c in diff["changes"]}
    # lower is better for losses and errors, higher for the rest; unchanged is neither
    assert tones == {
        "acc": "bad",
        "val_loss": "good",
        "rmse": "bad",
        "latency_p99": "good",
        "f1": None,
    }
    # the project's own directions, from .nbvc/config, win
    config = runs.path / ".nbvc" / "config"
    config.write_text(config.read_text() + '\n[metrics]\nhigher_is_better = ["latency_p99"]\n')
    diff = await api.ok("GET", "metrics/diff", **query)
    assert {c["name"]: c["tone"] for c in diff["changes"]}["latency_p99"] == "bad"
    params = await api.ok("GET", "params/diff", path="lab", a=short(a), b=short(b))
    assert all("tone" not in c for c in params["changes"])


async def test_diff_defaults_to_latest_run_against_workspace(api: Api, runs: Runs) -> None:
    runs.log({"acc": 0.5})
    diff = await api.ok("GET", "metrics/diff", path="lab")
    assert diff["b"] == "workspace"
    assert diff["changes"] == []  # logged values count only between two runs


async def test_diff_errors(api: Api, runs: Runs) -> None:
    nothing = await api.get("metrics/diff", path="lab")
    assert nothing.status == 404 and "no runs yet" in nothing.body["message"]
    runs.log({"acc": 0.5})
    unknown = await api.get("params/diff", path="lab", a="nosuchrun")
    assert unknown.status == 404 and "not a run id" in unknown.body["message"]
    assert (await api.get("metrics/diff", path="lab", a="HEAD:secret")).status == 400
    assert (await api.get("metrics/diff", path="lab", all="yes")).status == 400


async def test_params_and_metrics_of_a_run_and_the_workspace(api: Api, runs: Runs) -> None:
    run_id = runs.log({"acc": 0.5}, {"lr": 0.1})
    (runs.path / "params.yaml").write_text("train:\n  lr: 0.3\n")
    metrics = await api.ok("GET", "metrics", path="lab", run=short(run_id))
    assert metrics == {"ref": short(run_id), "kind": "run", "values": {"logged": {"acc": 0.5}}}
    params = await api.ok("GET", "params", path="lab")
    assert params == {
        "ref": "workspace",
        "kind": "workspace",
        "values": {"params.yaml": {"train.lr": 0.3}},
    }


async def test_plots_overlay_runs(api: Api, runs: Runs) -> None:
    a = runs.log({"acc": 0.5})
    b = runs.log({"acc": 0.7, "loss": 0.1})
    plots = (await api.ok("GET", "plots", path="lab", run=[a, short(b)]))["plots"]
    assert [p["id"] for p in plots] == ["metric:acc", "metric:loss"]
    acc = plots[0]
    assert acc["title"] == "acc"
    assert acc["spec"]["$schema"].endswith("vega-lite/v5.json")
    assert {v["run"] for v in acc["spec"]["data"]["values"]} == {short(a), short(b)}
    latest = (await api.ok("GET", "plots", path="lab"))["plots"]
    assert [p["id"] for p in latest] == ["metric:acc", "metric:loss"]


async def test_plot_errors(api: Api, runs: Runs) -> None:
    runs.log({"acc": 0.5})
    assert (await api.get("plots", path="lab", run="nosuchrun")).status == 404
    assert (await api.get("plots", path="lab", run=["abcd"] * 11)).status == 400
    assert (await api.get("plots", path="lab", run="a b")).status == 400


async def test_filter_deleted_models_and_alias_references(api: Api, runs: Runs) -> None:
    import nbvc
    from nbvc.core.runs import logging as runlog

    low = runs.log({"acc": 0.1}, {"model": "rf"})
    high = runs.log({"acc": 0.9}, {"model": "gb"})
    found = await api.ok("GET", "runs", path="lab", filter="metrics.acc > 0.5")
    assert [r["id"] for r in found["runs"]] == [high] and found["total"] == 1
    bad = await api.get("runs", path="lab", filter="metrics.acc >")
    assert bad.status == 400 and "ends too early" in bad.body["message"]
    with Repo.open(str(runs.path)) as repo:
        repo.runs.delete(low)
    listed = await api.ok("GET", "runs", path="lab")
    assert [r["id"] for r in listed["runs"]] == [high]
    deleted = await api.ok("GET", "runs", path="lab", deleted="true")
    assert [(r["id"], r["deleted"]) for r in deleted["runs"]] == [(low, True)]
    with nbvc.start_run(str(runs.path), name="trainer") as run:
        nbvc.log_model({"w": 1}, "churn")
    assert runlog._active is None
    with Repo.open(str(runs.path)) as repo:
        repo.models.set_alias("churn", "prod", "v1")
    models = await api.ok("GET", "models", path="lab")
    (version,) = models["models"]
    assert (version["name"], version["version"], version["aliases"]) == ("churn", 1, ["prod"])
    assert version["run"] == run.id
    detail = await api.ok("GET", "runs/churn@prod", path="lab")
    assert detail["name"] == "trainer"
    assert [a["kind"] for a in detail["artifacts"]] == ["model"]
    assert (await api.get("runs/churn@staging", path="lab")).status == 404
    assert (await api.get("runs/a@b:c", path="lab")).status == 400
