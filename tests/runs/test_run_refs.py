"""Run records as typed values, and the one resolver of run references every front end uses."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nbvc.core import RunNotFoundError, RunOrder, RunRecord, RunStatus
from nbvc.core.repo import Repo
from nbvc.core.runs.journal import Journal
from nbvc.core.runs.run_record import read_run, write_run
from nbvc.core.runs.run_refs import (
    RefKind,
    register_alias_resolver,
    resolve_run,
    unregister_alias_resolver,
)
from nbvc.core.runs.run_tables import RUNS

Json = dict[str, Any]

# A repro's run record as nbvc 0.1.0 wrote it before records were typed (keys sorted on disk).
OLD_REPRO_RECORD: Json = {
    "duration": 1.5,
    "ended": 1700000001.5,
    "env": {"git": None, "host": "h", "python": "3.11.2", "user": "u"},
    "id": "0000000000000001-aaaa1111",
    "kind": "runs",
    "metrics": {"metrics.json": {"acc": 0.9}},
    "params": {"params.yaml": {"train.lr": 0.1}},
    "pipeline": "nbvc.yaml",
    "plots": [{"oid": "b" * 64, "path": "plots.csv", "props": {"x": "step"}}],
    "series": {},
    "source": "repro",
    "stages": {"train": {"status": "ran", "reason": "new", "duration": 1.2}},
    "started": 1700000000.0,
    "status": "completed",
    "targets": [],
}
# ... and a notebook's logged run: no pipeline fields, the notebook and session it ran in.
OLD_NOTEBOOK_RECORD: Json = {
    "duration": 2.0,
    "ended": 1700000102.0,
    "env": {"git": "c0ffee", "host": "h", "python": "3.11.2", "user": "u"},
    "id": "0000000000000002-bbbb2222",
    "kind": "runs",
    "metrics": {"logged": {"loss": 0.25}},
    "notebook": "train.ipynb",
    "params": {},
    "series": {"loss": [[0, 0.5, 1700000100.5], [1, 0.25, 1700000101.0]]},
    "session": "0000000000000002-cccc3333",
    "source": "notebook",
    "stages": {},
    "started": 1700000100.0,
    "status": "failed",
}


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repo]:
    with Repo.init(str(tmp_path / "repo"))[0] as opened:
        yield opened


def put(repo: Repo, record: Json) -> None:
    """A record as it arrives from elsewhere (a pull), then indexed."""
    path = Path(repo.records.path(RUNS, str(record["id"])))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, sort_keys=True))
    repo.reindex()


@pytest.mark.parametrize("old", [OLD_REPRO_RECORD, OLD_NOTEBOOK_RECORD], ids=["repro", "notebook"])
def test_records_written_before_typing_load_and_write_back_unchanged(repo: Repo, old: Json) -> None:
    put(repo, old)
    run = read_run(repo, str(old["id"]))
    assert run.status is RunStatus(old["status"])
    assert {**run.to_record(), "kind": "runs"} == old


def test_one_serialisation_for_disk_index_and_rest(repo: Repo) -> None:
    put(repo, OLD_NOTEBOOK_RECORD)
    run = repo.runs.get("bbbb2222")
    assert run.extra == {"notebook": "train.ipynb", "session": "0000000000000002-cccc3333"}
    assert run.short_id == "bbbb2222" and run.git == "c0ffee"
    detail = run.to_json()
    assert detail["status"] == "failed" and detail["pipeline"] is None and detail["plots"] == []
    assert {k: detail[k] for k in run.summary_json()} == run.summary_json()
    (page,) = repo.runs.page(RunOrder(), 0, 10)
    assert page == run.summary_json()  # the index's page says what the record says


def test_written_runs_are_typed_and_indexed(repo: Repo) -> None:
    run = RunRecord("0000000000000003-dddd4444", source="python", status=RunStatus.INTERRUPTED)
    write_run(repo, run)
    assert read_run(repo, run.id) == run
    assert repo.runs.query() == [run]


def test_references_name_runs_by_id_prefix_short_id_and_position(repo: Repo) -> None:
    put(repo, OLD_REPRO_RECORD)
    put(repo, OLD_NOTEBOOK_RECORD)
    older, newer = OLD_REPRO_RECORD["id"], OLD_NOTEBOOK_RECORD["id"]
    for ref, expected in [
        (older, older),
        ("aaaa1111", older),  # the short id
        ("0000000000000002", newer),  # a unique prefix
        ("last", newer),
        ("latest", newer),
        ("last~1", older),
        ("latest~1", older),
    ]:
        assert repo.runs.get(ref).id == expected, ref
    with pytest.raises(RunNotFoundError, match="'0000000' matches 2 runs"):
        repo.runs.get("0000000")
    with pytest.raises(RunNotFoundError, match="there is no run 'last~2': fewer than 3 runs"):
        repo.runs.get("last~2")
    with pytest.raises(RunNotFoundError, match="no run 'zzzz9999'; `nbvc runs` lists run ids"):
        repo.runs.get("zzzz9999")
    with pytest.raises(RunNotFoundError, match="no run 'aaa'"):  # too short to be an id
        repo.runs.get("aaa")


def test_open_runs_resolve_like_finished_ones(repo: Repo) -> None:
    Journal.create(repo, "0000000000000009-eeee5555", "python")
    run = repo.runs.get("eeee5555")
    assert run.status in (RunStatus.RUNNING, RunStatus.INTERRUPTED)
    assert repo.runs.open() == [run]
    put(repo, {**OLD_REPRO_RECORD, "id": "0000000000000008-eeee5555"})
    with pytest.raises(RunNotFoundError, match="matches 2 runs"):
        repo.runs.get("eeee5555")


def test_workspace_and_git_revisions_only_where_accepted(repo: Repo) -> None:
    root = repo.root
    subprocess.run(["git", "init", "-q", root], check=True)
    subprocess.run(
        ["git", "-C", root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q",
         "--allow-empty", "-m", "first"],
        check=True,
    )  # fmt: skip
    found = resolve_run(repo, "HEAD", git=True)
    assert found.kind is RefKind.GIT and found.commit and found.label == "HEAD"
    assert resolve_run(repo, "workspace", workspace=True).kind is RefKind.WORKSPACE
    with pytest.raises(RunNotFoundError, match="no run 'HEAD'"):
        repo.runs.get("HEAD")
    with pytest.raises(
        RunNotFoundError,
        match="'nope' is not a run id, 'last', 'last~N', 'workspace' or a git revision",
    ):
        resolve_run(repo, "nope", workspace=True, git=True)


def test_name_at_alias_goes_through_the_registered_resolvers(repo: Repo) -> None:
    put(repo, OLD_REPRO_RECORD)

    def registry(_: Repo, name: str, alias: str) -> str | None:
        return str(OLD_REPRO_RECORD["id"]) if (name, alias) == ("churn", "prod") else None

    with pytest.raises(RunNotFoundError):
        repo.runs.get("churn@prod")
    register_alias_resolver(registry)
    try:
        assert repo.runs.get("churn@prod").id == OLD_REPRO_RECORD["id"]
        with pytest.raises(RunNotFoundError, match="no run 'churn@staging'"):
            repo.runs.get("churn@staging")
    finally:
        unregister_alias_resolver(registry)
