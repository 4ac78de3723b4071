"""Which model objects were hashed, and the stat they had then, so that loading the same
unchanged object again need not hash it again.

A model is hashed in full the first time it is loaded and whenever its file's inode, size,
mtime or ctime differ from when it was last hashed (any write to the file, or a copy put in
its place, changes its ctime, which no user-space call can set back). Cache objects are
read-only files nbvc never modifies, so this catches the corruption and tampering a hash
would, as git and DVC trust their stat caches. ``[models] verify = "always"`` in
`.nbvc/config` (or ``NBVC_VERIFY_MODELS=always``) hashes on every load.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from nbvc.core.errors import ConfigError
from nbvc.core.storage.index_db import Index

SCHEMA = """
CREATE TABLE IF NOT EXISTS verified_objects (
    oid TEXT PRIMARY KEY, ino INTEGER NOT NULL, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL
);
"""
VERIFY_ENV = "NBVC_VERIFY_MODELS"
MODES = ("changed", "always")

Stamp = tuple[int, int, int, int]  # ino, size, mtime_ns, ctime_ns


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def verify_always(config: Mapping[str, Any]) -> bool:
    mode = os.environ.get(VERIFY_ENV) or (config.get("models") or {}).get("verify", "changed")
    if mode not in MODES:
        raise ConfigError(f"models.verify must be one of {', '.join(MODES)}, not {mode!r}")
    return mode == "always"


class VerifiedObjects:
    def __init__(self, index: Index) -> None:
        self.index = index
        index.db.executescript(SCHEMA)

    def unchanged(self, oid: str, stamp: Stamp) -> bool:
        row = self.index.execute(
            "SELECT ino, size, mtime_ns, ctime_ns FROM verified_objects WHERE oid = ?", (oid,)
        ).fetchone()
        return row is not None and tuple(row) == stamp

    def remember(self, oid: str, stamp: Stamp) -> None:
        self.index.execute(
            "INSERT OR REPLACE INTO verified_objects VALUES (?, ?, ?, ?, ?)", (oid, *stamp)
        )

    def forget(self, oid: str) -> None:
        self.index.execute("DELETE FROM verified_objects WHERE oid = ?", (oid,))
