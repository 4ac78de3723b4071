from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nbvc.core.errors import NbvcError
from nbvc.core.storage.index_db import APPLICATION_ID, FORMAT, RACY_WINDOW_NS, Index, StatRow


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Index]:
    opened = Index(str(tmp_path / "index.db"))
    yield opened
    opened.close()


def test_stat_cache_round_trip(index: Index) -> None:
    now = time.time_ns()
    index.stat_store([(1, 10, 100, "a" * 64, now), (2, 20, 200, "b" * 64, now)])
    found = index.stat_lookup([1, 2, 3])
    assert found == {1: StatRow(10, 100, "a" * 64, now), 2: StatRow(20, 200, "b" * 64, now)}
    index.stat_store([(1, 11, 101, "c" * 64, now)])  # an inode's entry is replaced
    assert index.stat_lookup([1])[1].oid == "c" * 64
    index.stat_forget(["c" * 64])
    assert index.stat_lookup([1, 2]).keys() == {2}


def test_stat_row_matches_only_the_same_file_hashed_well_after_its_mtime() -> None:
    mtime = 1_000_000_000_000
    settled = StatRow(5, mtime, "a" * 64, mtime + 10 * RACY_WINDOW_NS)
    assert settled.matches(5, mtime)
    assert not settled.matches(6, mtime)
    assert not settled.matches(5, mtime + 1)
    racy = StatRow(5, mtime, "a" * 64, mtime + RACY_WINDOW_NS // 2)
    assert not racy.matches(5, mtime)  # may have changed again within the timestamp granularity


def test_complete_trees(index: Index) -> None:
    assert not index.is_complete("t.dir")
    index.mark_complete("t.dir")
    index.mark_complete("t.dir")
    assert index.is_complete("t.dir")
    index.forget_complete()
    assert not index.is_complete("t.dir")


def test_transaction_rolls_back_on_error(index: Index) -> None:
    with pytest.raises(RuntimeError), index.transaction() as db:
        db.execute("INSERT INTO complete_trees VALUES ('x.dir')")
        raise RuntimeError
    assert not index.is_complete("x.dir")


def test_reopening_keeps_data(tmp_path: Path) -> None:
    first = Index(str(tmp_path / "i.db"))
    first.mark_complete("t.dir")
    first.close()
    second = Index(str(tmp_path / "i.db"))
    assert second.is_complete("t.dir")
    second.close()


def test_a_damaged_index_says_how_to_recover(tmp_path: Path) -> None:
    (tmp_path / "index.db").write_bytes(b"not a database" * 200)
    with pytest.raises(NbvcError, match="delete it"):
        Index(str(tmp_path / "index.db"))


def test_opening_waits_while_another_process_creates_the_index(tmp_path: Path) -> None:
    """Another process is still creating the index: switching it to WAL fails at once (SQLite
    ignores the busy timeout there), so opening must retry rather than fail."""
    path = str(tmp_path / "index.db")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # as nbvc does
    other.execute(f"PRAGMA user_version = {FORMAT}")
    other.execute("CREATE TABLE creating (x)")

    def finish() -> None:
        other.execute("COMMIT")
        other.close()

    timer = threading.Timer(0.3, finish)
    timer.start()
    try:
        Index(path).close()
    finally:
        timer.join()
