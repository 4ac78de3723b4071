"""The local SQLite index in `.nbvc/index.db`: the stat cache and query tables.

Nothing here is the source of truth: versions, tags, runs and lineage are indexed from the record
files in `.nbvc/records/` (see :mod:`.record_index`, which also decides when the index is behind
them), and the stat caches are caches. So an index that is not nbvc's (a foreign SQLite file, a
file of another format, garbage, a folder) is set aside and a new one built: :func:`open_index`.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from nbvc.core.errors import NotAnIndexError

APPLICATION_ID = 0x6E627663  # "nbvc", in the SQLite header: tells our index from a foreign file
# The index format; an index of another format is set aside and rebuilt (the records are the
# truth), so a schema change only needs this number raised.
FORMAT = 2
SQLITE_MAGIC = b"SQLite format 3\x00"
SIDECARS = ("-wal", "-shm", "-journal")

SCHEMA = """
CREATE TABLE IF NOT EXISTS stat (
    ino INTEGER PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, oid TEXT NOT NULL,
    recorded_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, kind TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    id TEXT PRIMARY KEY,
    artifact TEXT NOT NULL,
    number INTEGER NOT NULL,
    oid TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    nfiles INTEGER NOT NULL,
    created REAL NOT NULL,
    author TEXT NOT NULL,
    message TEXT NOT NULL,
    producer TEXT,
    pruned INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS versions_by_number ON versions(artifact, number);
CREATE INDEX IF NOT EXISTS versions_by_oid ON versions(oid);
CREATE TABLE IF NOT EXISTS tags (
    artifact TEXT NOT NULL, name TEXT NOT NULL, version_id TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (artifact, name)
);
CREATE TABLE IF NOT EXISTS complete_trees (oid TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS dir_stat (
    path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, oid TEXT NOT NULL, size INTEGER NOT NULL,
    nfiles INTEGER NOT NULL, recorded_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS record_sync (
    kind TEXT PRIMARY KEY, stamp TEXT NOT NULL, checked_ns INTEGER NOT NULL
);
"""


BUSY_TIMEOUT = 60.0  # seconds to wait for another process's write transaction

# A file modified within this window before its hash was recorded could change again without its
# mtime moving (coarse kernel timestamps), so such an entry is not trusted ("racily clean", as git
# calls it) and the file is hashed again.
RACY_WINDOW_NS = 50_000_000


class StatRow(NamedTuple):
    size: int
    mtime_ns: int
    oid: str
    recorded_ns: int

    def matches(self, size: int, mtime_ns: int) -> bool:
        """True if a file with this size and mtime certainly still has ``oid``."""
        return (
            self.size == size
            and self.mtime_ns == mtime_ns
            and mtime_ns < self.recorded_ns - RACY_WINDOW_NS
        )

    def unchanged(self, size: int, mtime_ns: int) -> bool:
        """True if a cache file (written once, never in place) has not been written since it
        was verified. No racy window: nbvc never writes such a file again, so any later write
        is damage and moves its mtime past ``recorded_ns``."""
        return self.size == size and self.mtime_ns == mtime_ns <= self.recorded_ns


class DirRow(NamedTuple):
    oid: str
    size: int
    nfiles: int


StatEntry = tuple[int, int, int, str, int]  # ino, size, mtime_ns, oid, recorded_ns


class Index:
    """A thin, typed wrapper over one SQLite connection.

    ``Index(":memory:")`` is an index that lives only in this process (for a repo whose
    index.db cannot be written: a read-only repo, a full disk).
    """

    def __init__(self, path: str, schemas: Sequence[str] = ()) -> None:
        self.path = path
        self.db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        try:
            if path != ":memory:":
                _enable_wal(self.db)
                self.db.execute("PRAGMA synchronous=NORMAL")
            _prepare(self.db, (SCHEMA, *schemas))
        except sqlite3.OperationalError:
            self.db.close()
            raise
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise NotAnIndexError(
                f"{path} is damaged ({exc}); delete it and its -wal and -shm files, "
                "and nbvc rebuilds it from .nbvc/records"
            ) from None
        except NotAnIndexError:
            self.db.close()
            raise
        self._open_here = path != ":memory:"
        if self._open_here:
            with _OPEN_LOCK:
                _OPEN[os.path.realpath(path)] += 1

    @property
    def in_memory(self) -> bool:
        return self.path == ":memory:"

    def close(self) -> None:
        self.db.close()
        if self._open_here:
            self._open_here = False
            with _OPEN_LOCK:
                _OPEN[os.path.realpath(self.path)] -= 1

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, params)

    def transaction(self) -> sqlite3.Connection:
        """``with index.transaction():`` runs the block in one IMMEDIATE transaction."""
        return _Transaction(self.db)  # type: ignore[return-value]

    # -- stat cache -------------------------------------------------------------------------
    def stat_lookup(self, inodes: Iterable[int]) -> dict[int, StatRow]:
        """Look up many inodes in one query."""
        rows = self.db.execute(
            "SELECT ino, size, mtime_ns, oid, recorded_ns FROM stat "
            "WHERE ino IN (SELECT value FROM json_each(?))",
            (json.dumps(list(inodes)),),
        )
        return {row[0]: StatRow(*row[1:]) for row in rows}

    def stat_store(self, rows: Iterable[StatEntry]) -> None:
        """Remember ``(ino, size, mtime_ns, oid, recorded_ns)`` of files hashed or written.

        Best effort: on a full disk the cache only costs a re-hash next time.
        """
        with cache_write(), self.transaction():
            self.db.executemany("INSERT OR REPLACE INTO stat VALUES (?, ?, ?, ?, ?)", rows)

    def stat_forget(self, oids: Iterable[str]) -> None:
        """Drop stat-cache entries that claim any of ``oids`` (e.g. after corruption)."""
        with self.transaction():
            self.db.executemany("DELETE FROM stat WHERE oid = ?", [(oid,) for oid in oids])

    # -- whole-directory stat cache ----------------------------------------------------------
    def dir_lookup(self, path: str, fingerprint: str, newest_mtime_ns: int) -> DirRow | None:
        """The tree of a folder whose files' stats hash to ``fingerprint``, if known and safe."""
        row = self.db.execute(
            "SELECT oid, size, nfiles, recorded_ns FROM dir_stat "
            "WHERE path = ? AND fingerprint = ?",
            (path, fingerprint),
        ).fetchone()
        if row is None or newest_mtime_ns >= row[3] - RACY_WINDOW_NS:
            return None
        return DirRow(row[0], row[1], row[2])

    def dir_store(self, path: str, fingerprint: str, row: DirRow, recorded_ns: int) -> None:
        with cache_write():
            self.db.execute(
                "INSERT OR REPLACE INTO dir_stat VALUES (?, ?, ?, ?, ?, ?)",
                (path, fingerprint, row.oid, row.size, row.nfiles, recorded_ns),
            )

    # -- completeness of trees in the cache -------------------------------------------------
    def is_complete(self, tree_oid: str) -> bool:
        row = self.db.execute("SELECT 1 FROM complete_trees WHERE oid = ?", (tree_oid,))
        return row.fetchone() is not None

    def mark_complete(self, tree_oid: str) -> None:
        with cache_write():
            self.db.execute("INSERT OR IGNORE INTO complete_trees VALUES (?)", (tree_oid,))

    def forget_complete(self) -> None:
        self.db.execute("DELETE FROM complete_trees")


@contextlib.contextmanager
def cache_write() -> Iterator[None]:
    """Around a write that only saves work later: a full disk or a read-only index skips it."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if not is_unwritable(exc):
            raise


def is_unwritable(exc: sqlite3.Error) -> bool:
    """True for the errors of an index that cannot be written (full disk, read-only, I/O)."""
    text = str(exc).lower()
    return any(
        phrase in text for phrase in ("full", "readonly", "read-only", "disk i/o", "unable to open")
    )


def _prepare(db: sqlite3.Connection, schemas: Sequence[str]) -> None:
    """Check that ``db`` is an nbvc index of this format (a new, empty file becomes one) and
    create any missing table. Raises :class:`NotAnIndexError` for anything else."""
    if _identity(db) == (APPLICATION_ID, FORMAT):
        _create(db, schemas)
        return
    with _Transaction(db):  # a new file: one process makes it an index, the others wait
        application_id, version = _identity(db)
        if (application_id, version) == (0, 0) and not _tables(db):
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {FORMAT}")
        elif (application_id, version) != (APPLICATION_ID, FORMAT):
            what = "another format" if application_id == APPLICATION_ID else "not nbvc's"
            raise NotAnIndexError(f"{what} (application id {application_id}, format {version})")
        _create(db, schemas)


def _create(db: sqlite3.Connection, schemas: Sequence[str]) -> None:
    for schema in schemas:
        for statement in schema.split(";"):
            if statement.strip():
                db.execute(statement)


def _identity(db: sqlite3.Connection) -> tuple[int, int]:
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    return int(application_id), int(version)


def _tables(db: sqlite3.Connection) -> list[str]:
    return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


# Indexes this process has open, by real path. While one is, its file is not opened here by
# anything but SQLite: closing any descriptor of a file drops all of the process's POSIX locks
# on it, SQLite's too; another process closing its connection would then take this one for
# gone and delete the WAL and shared-memory files under it ("disk I/O error" next time: a
# kernel that keeps its repo open while `%nbvc status --json` runs the CLI).
_OPEN: collections.Counter[str] = collections.Counter()
_OPEN_LOCK = threading.Lock()


def _open_here(path: str) -> bool:
    with _OPEN_LOCK:
        return _OPEN[os.path.realpath(path)] > 0


def open_index(path: str, schemas: Sequence[str] = ()) -> Index:
    """The nbvc index at ``path``; whatever else is there is set aside first (to
    ``<path>.bad``) and a new, empty index made. Callers then bring it up to date with the
    records (:func:`.record_index.ensure_current`). An index this process has open was
    checked when it was opened, and its file is not read again (see ``_OPEN``)."""
    if not _open_here(path) and not _plausible(path):
        _set_aside(path, lambda: not _plausible(path))
    try:
        return Index(path, schemas)
    except NotAnIndexError:
        inode = _inode(path)
        _set_aside(path, lambda: _inode(path) == inode)
        return Index(path, schemas)


def _plausible(path: str) -> bool:
    """Absent, empty, or a regular file that starts as SQLite files do and is whole pages."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return True
    if not os.path.isfile(path) or os.path.islink(path):
        return False
    if st.st_size == 0:
        return True
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    return page_size >= 512 and st.st_size % page_size == 0  # a truncated file is not whole


def _inode(path: str) -> int | None:
    try:
        return os.lstat(path).st_ino
    except FileNotFoundError:
        return None


def _set_aside(path: str, still_bad: Any) -> None:
    """Move the bad index (and its WAL files) to ``<path>.bad``, unless another process did
    already: under an exclusive lock, and only while ``still_bad()`` holds."""
    fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if not still_bad():
            return
        aside = path + ".bad"
        for suffix in ("", *SIDECARS):
            _remove_any(aside + suffix)
            with contextlib.suppress(FileNotFoundError):
                os.rename(path + suffix, aside + suffix)
    finally:
        os.close(fd)


def _remove_any(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _enable_wal(db: sqlite3.Connection) -> None:
    """Switch to WAL, waiting for other processes doing the same.

    While a new index is being switched to WAL by one process, the switch fails at once in
    another ("database is locked": SQLite does not wait on its busy timeout here), so retry.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
