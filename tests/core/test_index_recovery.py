"""The records are the truth and index.db a cache of them: an index that is missing, partial,
foreign, damaged, a folder, empty, or behind the records is rebuilt by the next command, and
neither gc nor version numbering trusts it before that."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from tests.conftest import Cli
from tests.faults.kill import killed_at, nbvc_run
from tests.faults.sandbox import can_unshare, run_on_full_disk, run_read_only
from tests.helpers import write

VERSIONS = 26


@pytest.fixture
def history(cli: Cli, repo: Repo) -> Path:
    """``m.txt`` with 26 versions, each with its own object; the index then closed."""
    root = Path(repo.root)
    for n in range(VERSIONS):
        write(root / "m.txt", f"content {n}\n")
        cli.ok("add", "m.txt", "-m", f"v{n + 1}")
    repo.close()
    return root


def logged(root: Path) -> list[str]:
    done = nbvc_run(["log", "m.txt", "--json"], root)
    assert done.returncode == 0, done.stderr
    return [v["version"] for v in json.loads(done.stdout)]


def remove_index(root: Path) -> None:
    for name in os.listdir(root / ".nbvc"):
        if name.startswith("index.db"):
            path = root / ".nbvc" / name
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def all_versions() -> list[str]:
    return [f"v{n}" for n in range(VERSIONS, 0, -1)]


def objects_of_versions(root: Path) -> set[str]:
    records = root / ".nbvc" / "records" / "versions"
    return {json.loads(p.read_text())["oid"] for p in records.iterdir()}


def assert_all_objects_present(root: Path) -> None:
    with Repo.open(str(root)) as repo:
        missing = [oid for oid in objects_of_versions(root) if not repo.odb.exists(oid)]
    assert missing == []


def test_a_rebuild_killed_half_way_is_finished_by_the_next_command(history: Path) -> None:
    remove_index(history)
    killed_at("nbvc.core.storage.record_store:RecordStore.read", ["log", "m.txt"], history, 17)
    assert logged(history) == all_versions()


def test_gc_after_a_killed_rebuild_deletes_no_version(history: Path) -> None:
    remove_index(history)
    killed_at("nbvc.core.storage.record_store:RecordStore.read", ["status"], history, 11)
    assert nbvc_run(["gc"], history).returncode == 0
    assert_all_objects_present(history)
    assert logged(history) == all_versions()


def test_records_that_arrive_without_being_indexed_are_indexed(history: Path) -> None:
    """What a pull killed while indexing leaves: record files the index has not seen."""
    records = history / ".nbvc" / "records" / "versions"
    aside = history.parent / "aside"
    shutil.move(records, aside)
    remove_index(history)
    assert nbvc_run(["status"], history).returncode == 0  # an index without them
    shutil.move(aside, records)
    assert logged(history) == all_versions()
    assert nbvc_run(["gc"], history).returncode == 0
    assert_all_objects_present(history)


def test_add_killed_before_indexing_its_record_does_not_reuse_the_number(history: Path) -> None:
    write(history / "m.txt", "one more\n")
    killed_at("nbvc.core.artifacts.history:History.index_record", ["add", "m.txt"], history)
    write(history / "m.txt", "and another\n")
    done = nbvc_run(["add", "m.txt"], history)
    assert done.returncode == 0, done.stderr
    assert f"added v{VERSIONS + 2}" in done.stdout
    assert logged(history) == [f"v{VERSIONS + 2}", f"v{VERSIONS + 1}", *all_versions()]


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "inside").write_text("x")


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a database" * 500)


def _foreign(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE versions (x TEXT)")  # a table of the same name, another meaning
    db.execute("INSERT INTO versions VALUES ('y')")
    db.commit()
    db.close()


def _truncated(path: Path) -> None:
    with Repo.open(str(path.parent.parent)) as repo:
        repo.index.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size // 2 + 100)


def _old_format(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


BAD_INDEXES: dict[str, Callable[[Path], None]] = {
    "empty": _empty,
    "folder": _folder,
    "garbage": _garbage,
    "foreign": _foreign,
    "truncated": _truncated,
    "old format": _old_format,
}


@pytest.mark.parametrize("damage", BAD_INDEXES)
def test_an_unusable_index_is_rebuilt(history: Path, damage: str) -> None:
    index = history / ".nbvc" / "index.db"
    if damage not in ("truncated", "old format"):
        remove_index(history)
    BAD_INDEXES[damage](index)
    assert logged(history) == all_versions()
    write(history / "m.txt", "after the damage\n")
    done = nbvc_run(["add", "m.txt"], history)
    assert (done.returncode, done.stderr) == (0, "")
    assert f"added v{VERSIONS + 1}" in done.stdout  # numbering goes on
    assert nbvc_run(["gc"], history).returncode == 0
    assert_all_objects_present(history)
    assert (history / ".nbvc" / "index.db").is_file()


@pytest.mark.skipif(not can_unshare(), reason="needs `unshare -m` for a read-only mount")
def test_a_read_only_repo_answers_status_and_log(history: Path) -> None:
    remove_index(history)  # and it has no index: it is built in memory
    log, status, tag = run_read_only(
        history, [["log", "m.txt", "--json"], ["status", "--json"], ["tag", "m.txt@v1", "x"]]
    )
    assert (log["code"], log["err"]) == (0, "")
    assert [v["version"] for v in json.loads(str(log["out"]))] == all_versions()
    assert (status["code"], status["err"]) == (0, "")
    assert tag["code"] == 1
    assert str(tag["err"]).startswith("nbvc: error:") and "read-only" in str(tag["err"]).lower()
    assert "Traceback" not in str(tag["err"])


@pytest.mark.skipif(not can_unshare(), reason="needs `unshare -m` for a small tmpfs")
def test_a_full_disk_answers_status_and_log_and_refuses_add_cleanly(history: Path) -> None:
    write(history / "m.txt", "new content that cannot be stored\n" * 100)
    (log, status, add), _ = run_on_full_disk(
        history, [["log", "m.txt", "--json"], ["status", "--json"], ["add", "m.txt"]]
    )
    assert (log["code"], log["err"]) == (0, "")
    assert [v["version"] for v in json.loads(str(log["out"]))] == all_versions()
    assert (status["code"], status["err"]) == (0, "")
    assert add["code"] == 1
    assert str(add["err"]).startswith("nbvc: error:") and "space" in str(add["err"])
    assert "Traceback" not in str(add["err"])


def test_a_record_removed_by_hand_rebuilds_its_kinds_and_keeps_the_others(history: Path) -> None:
    from nbvc.core.lineage.cell_record import CellRecord
    from nbvc.core.lineage.store import save, source_oid
    from nbvc.core.runs.run_index import RunIndex
    from nbvc.core.runs.run_record import RunRecord, write_run
    from nbvc.core.storage.record_store import new_id

    with Repo.open(str(history)) as repo:
        run = write_run(repo, RunRecord(new_id(), source="python", metrics={"m": {"a": 1}}))
        cell = CellRecord(new_id(), "s", None, "c", 1, source_oid("x = 1"), "", 1.0, 2.0, True)
        save(repo, [(cell, "x = 1")])
    with Repo.open(str(history)) as repo:  # a long-lived process: its index is current
        assert len(repo.log("m.txt")) == VERSIONS
        first = sorted((history / ".nbvc" / "records" / "versions").iterdir())[0]
        first.unlink()  # then v1 goes from the truth
        write(history / "m.txt", "after a record went\n")
        repo.add([str(history / "m.txt")])  # numbering rebuilds the history kinds only
    assert logged(history)[-1] == "v2"
    with Repo.open(str(history)) as repo:
        assert RunIndex(repo).latest() == run.id
        from nbvc.core.lineage import lineage_index

        assert lineage_index.cell(repo.index, cell.id) == cell


def test_a_second_open_keeps_the_first_connection_alive(history: Path) -> None:
    """A process that keeps its repo open (a kernel) and opens the index again, while other
    processes (the CLI verbs its magics run) open and close it: its connection stays valid."""
    index = os.path.join(history, ".nbvc", "index.db")
    with Repo.open(str(history)) as kept:
        assert kept.log("m.txt")  # the index is open
        with Repo.open(str(history)) as again:
            assert again.log("m.txt")
        assert logged(history)  # another process opens the index and closes it
        assert os.path.exists(index + "-wal")  # not taken for the last connection's
        write(history / "m.txt", "after the others\n")
        kept.add(["m.txt"])
        assert kept.log("m.txt")[0].number == VERSIONS + 1
