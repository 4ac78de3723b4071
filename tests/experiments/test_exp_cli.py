"""exp show / cancel / remove, and errors, from the command line."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from nbvc.core.engine_options import ExpRunOptions
from tests.pipeline.kit import Project, make_project


def test_show_sorts_and_lists_sweeps(exp: Project) -> None:
    assert exp.nbvc("exp", "run", "-S", "train.lr=0.2,0.05,0.01", "-n", "a").code == 0
    shown = exp.nbvc("exp", "show", "--sort", "loss", "--json")
    assert shown.code == 0, shown.err
    doc = json.loads(shown.out)
    assert [row["params"]["train.lr"] for row in doc["rows"]] == [0.05, 0.01, 0.2]
    assert doc["best"]["loss"] == doc["rows"][0]["id"] and doc["counts"] == {"completed": 3}
    listed = exp.nbvc("exp", "show", "--all")
    assert "a" in listed.out and "3 completed" in listed.out
    text = exp.nbvc("exp", "show", "a").out
    assert "a-2" in text and "0.5*" in text


def test_remove_deletes_the_sweep_and_its_runs(exp: Project) -> None:
    exp.nbvc("exp", "run", "-S", "train.lr=0.2,0.05", "-n", "gone")
    done = exp.nbvc("exp", "remove", "gone")
    assert done.code == 0 and "removed 3 run(s)" in done.out
    assert exp.nbvc("exp", "show", "gone").code == 1
    assert exp.nbvc("runs", "--json").out.strip() == "[]"


def test_a_removed_sweep_stays_removed_after_fetch_and_in_other_clones(
    exp: Project, tmp_path: Path
) -> None:
    remote = str(tmp_path / "remote")
    assert exp.nbvc("remote", "add", "store", remote, "--default").code == 0
    assert exp.nbvc("exp", "run", "-S", "train.lr=0.2,0.05", "-n", "gone").code == 0
    assert exp.nbvc("push").code == 0  # the sweep's records are on the remote now
    assert exp.nbvc("exp", "remove", "gone").code == 0
    assert exp.nbvc("push").code == 0
    fetched = exp.nbvc("fetch")
    assert fetched.code == 0, fetched.err
    assert exp.nbvc("exp", "show", "gone").code == 1  # not brought back by the fetch
    assert exp.nbvc("runs", "--json").out.strip() == "[]"
    other = make_project(tmp_path / "other")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(other.root)
        assert other.nbvc("remote", "add", "store", remote, "--default").code == 0
        assert other.nbvc("fetch").code == 0
        assert other.nbvc("runs", "--json").out.strip() == "[]"  # another clone sees it gone


def test_cancel_stops_the_running_command_and_the_queued_points(exp: Project) -> None:
    options = ExpRunOptions(set_params=("train.lr=0.01,0.02,0.03", "train.seconds=30"), name="c")
    results = []

    def sweep() -> None:
        with exp.repo() as repo:
            results.append(repo.experiments.run(options))

    runner = threading.Thread(target=sweep)
    started = time.monotonic()
    runner.start()
    while time.monotonic() - started < 20:
        with exp.repo() as repo:
            if repo.experiments.sweeps() and repo.experiments.sweep().counts().get("running"):
                break
        time.sleep(0.1)
    cancelled = exp.nbvc("exp", "cancel")
    assert cancelled.code == 0 and "cancelling sweep" in cancelled.out
    runner.join(timeout=20)
    assert not runner.is_alive() and time.monotonic() - started < 25  # not 3 x 30 s
    with exp.repo() as repo:
        table = repo.experiments.table("c")
    assert [row.status for row in table.rows] == ["interrupted"] * 3
    assert table.sweep.status == "interrupted"


def test_bad_input_is_one_line(exp: Project) -> None:
    for args, words in (
        (["-S", "lr"], "KEY=VALUES"),
        ([], "at least one -S"),
        (["-S", "train.lr=1", "--scheduler", "nowhere"], "tcp://"),
        (["-S", "train.lr=1", "nostage"], "nostage"),
    ):
        done = exp.nbvc("exp", "run", *args)
        assert done.code == 1, args
        assert done.err.startswith("nbvc: error: ") and words in done.err
        assert len(done.err.strip().splitlines()) == 1
