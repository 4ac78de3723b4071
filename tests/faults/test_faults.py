"""The kill -9 harness in CI: a couple of random kills of every writing command (``make faults
N=500`` runs the long one), and proof that its checks see what they look for."""

from __future__ import annotations

import os
from pathlib import Path

from nbvc.core.repo import Repo
from tests.faults import invariants
from tests.faults.harness import run
from tests.faults.scenarios import SCENARIOS, WS, build_checkout, build_pull

SEED = int(os.environ.get("NBVC_FAULT_SEED", "16"))


def test_random_kills_of_every_writing_command_lose_nothing(tmp_path: Path) -> None:
    reports = run(trials=2, seed=SEED, work=tmp_path)
    assert [r.name for r in reports] == list(SCENARIOS)
    assert all(r.trials == 2 for r in reports)
    assert sum(r.killed for r in reports) >= len(reports)  # most kills land mid-run
    failures = {r.name: (dict(r.failures), r.examples) for r in reports if r.failures}
    assert failures == {}


def test_the_checks_see_a_lost_object_a_temp_file_and_a_changed_user_file(
    tmp_path: Path,
) -> None:
    build_checkout(tmp_path)
    ws = tmp_path / WS
    before = invariants.snapshot(ws)
    assert invariants.check_records(ws, None) == []
    with Repo.open(str(ws)) as repo:
        version = repo.history.by_number("model.bin", 1)
        path = Path(repo.odb.stored_path(version.oid))  # the object, or its chunk manifest
    path.chmod(0o644)
    path.unlink()
    (ws / "data" / "part0" / "x.csv.nbvc-tmp-12345678").write_text("left behind")
    (ws / "notes.txt").write_text("changed")
    (ws / "data" / "part0" / "f000.csv").write_text("changed, old content is in the cache")
    (ws / "model.bin").write_bytes(b"changed, and v2 is in the cache")
    kinds = [
        kind
        for kind, _ in [
            *invariants.check_records(ws, None),
            *invariants.check_no_temp_in_workspace(ws, None),
            *invariants.check_user_files(ws, before, ("notes.txt",)),
        ]
    ]
    assert sorted(kinds) == ["lost-version", "temp-in-workspace", "user-file"]


def test_a_version_on_the_remote_counts_as_kept(tmp_path: Path) -> None:
    build_pull(tmp_path)
    ws = tmp_path / WS
    (ws / ".nbvc" / "records").mkdir(exist_ok=True)
    source = tmp_path / "remote" / "records"
    for kind in os.listdir(source):  # the records a pull brings, before the data
        (ws / ".nbvc" / "records" / kind).mkdir()
        for name in os.listdir(source / kind):
            (ws / ".nbvc" / "records" / kind / name).write_bytes(
                (source / kind / name).read_bytes()
            )
    assert invariants.check_records(ws, tmp_path / "remote") == []
    assert invariants.check_records(ws, None) != []
