"""Runs in the SQLite index: rebuilt from records, records from elsewhere, gc roots."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from nbvc.core.pipeline.outcome import RESTORED
from nbvc.core.runs.run_index import RunIndex
from tests.pipeline.kit import Project, make_project, ml_pipeline, set_param


def test_a_deleted_index_is_rebuilt_with_the_runs(project: Project) -> None:
    ml_pipeline(project)
    run_id = project.repro().run_id
    for name in os.listdir(project.path(".nbvc")):
        if name.startswith("index.db"):
            os.remove(project.path(".nbvc") / name)
    listing = json.loads(project.nbvc("runs", "--json").out)
    assert [r["id"] for r in listing] == [run_id]


def test_runs_from_another_clone_are_indexed_and_feed_the_run_cache(
    project: Project, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ml_pipeline(project)
    project.repro()
    set_param(project, "train", "lr", 0.2)
    remote_run = project.repro().run_id

    clone = make_project(tmp_path_factory.mktemp("clone"))
    ml_pipeline(clone)
    set_param(clone, "train", "lr", 0.2)
    with clone.repo() as repo:
        assert RunIndex(repo).latest() is None  # the clone's index exists and has no runs
    # what a pull brings: the records and the objects they name
    shutil.copytree(project.path(".nbvc/records"), clone.path(".nbvc/records"))
    shutil.copytree(project.path(".nbvc/cache"), clone.path(".nbvc/cache"), dirs_exist_ok=True)
    with clone.repo() as repo:  # the index sees that it is behind the records, and catches up
        assert RunIndex(repo).latest() == remote_run
        assert repo.reindex() == 0
    monkeypatch.chdir(clone.root)
    result = clone.repro()
    assert {o.status for o in result.outcomes} == {RESTORED}
    assert clone.calls() == []
    assert clone.read("model.json") == project.read("model.json")


def test_gc_keeps_objects_only_runs_reference(project: Project) -> None:
    ml_pipeline(project)
    project.repro()
    metrics_oid = next(o["oid"] for o in project.lock()["evaluate"]["outs"])
    with project.repo() as repo:
        assert metrics_oid in RunIndex(repo).referenced_oids()
        assert all(v.oid != metrics_oid for v in repo.history.all_versions())
        result = repo.gc(dry_run=True)
        assert metrics_oid not in result.removed
        assert repo.odb.exists(metrics_oid)


def test_index_reads_missing_runs_records_dir(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    with project.repo() as repo:
        assert RunIndex(repo).reindex() == 0
