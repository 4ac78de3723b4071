"""Per-artifact version history: versions v1, v2, ... and tags, independent of git.

Versions, tag moves and prunes are immutable records (see
:mod:`nbvc.core.storage.record_store`); this module writes them and keeps the SQLite index in
step. Callers hold the repository lock when they write.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from nbvc.core.errors import RefError
from nbvc.core.storage.hashing import TREE_SUFFIX
from nbvc.core.storage.index_db import Index
from nbvc.core.storage.record_index import Indexer, SyncResult, ensure_current, index_records
from nbvc.core.storage.record_store import Record, RecordStore, new_id

VERSIONS, TAGS, PRUNES = "versions", "tags", "prunes"

_VERSION_COLUMNS = (
    "id, artifact, number, oid, kind, size, nfiles, created, author, message, producer"
)


@dataclass(frozen=True)
class VersionRecord:
    """A version as its immutable record keeps it (`.nbvc/records/versions/<id>.json`).

    ``number`` is the one it was given; if another machine gave the same number to a version of
    the same artifact, the index moves the later one to the end (see :class:`Version`).
    """

    id: str
    artifact: str
    number: int
    oid: str
    kind: str  # "file" or "dir" (``type`` on disk)
    size: int
    nfiles: int
    created: float
    author: str
    message: str
    producer: str | None = None

    def to_record(self) -> Record:
        return {
            "id": self.id,
            "artifact": self.artifact,
            "number": self.number,
            "oid": self.oid,
            "type": self.kind,
            "size": self.size,
            "nfiles": self.nfiles,
            "created": self.created,
            "author": self.author,
            "message": self.message,
            "producer": self.producer,
        }

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> VersionRecord:
        return cls(
            id=doc["id"],
            artifact=doc["artifact"],
            number=doc["number"],
            oid=doc["oid"],
            kind=doc["type"],
            size=doc["size"],
            nfiles=doc["nfiles"],
            created=doc["created"],
            author=doc["author"],
            message=doc["message"],
            producer=doc.get("producer"),
        )


@dataclass(frozen=True)
class Version:
    """A version as the index knows it: its number in the artifact's history, and its tags."""

    id: str
    artifact: str
    number: int
    oid: str
    kind: str  # "file" or "dir"
    size: int
    nfiles: int
    created: float
    author: str
    message: str
    producer: str | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"v{self.number}"

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.name,
            "number": self.number,
            "oid": self.oid,
            "kind": self.kind,
            "size": self.size,
            "files": self.nfiles,
            "created": self.created,
            "author": self.author,
            "message": self.message,
            "producer": self.producer,
            "tags": list(self.tags),
        }


class History:
    def __init__(self, records: RecordStore, index: Index) -> None:
        self.records = records
        self.index = index

    # -- reading ----------------------------------------------------------------------------
    def versions(self, artifact: str, include_pruned: bool = False) -> list[Version]:
        """All versions of ``artifact``, newest first, with their tags."""
        where = "" if include_pruned else " AND pruned = 0"
        rows = self.index.execute(
            f"SELECT {_VERSION_COLUMNS} FROM versions "
            f"WHERE artifact = ?{where} ORDER BY number DESC",
            (artifact,),
        ).fetchall()
        tags = self._tags_by_version(artifact)
        return [replace(Version(*row), tags=tuple(sorted(tags.get(row[0], ())))) for row in rows]

    def latest(self, artifact: str) -> Version | None:
        versions = self.versions(artifact)
        return versions[0] if versions else None

    def by_number(self, artifact: str, number: int) -> Version:
        for version in self.versions(artifact, include_pruned=True):
            if version.number == number:
                return version
        raise RefError(
            f"{artifact} has no version v{number}; `nbvc log {artifact}` lists its versions"
        )

    def by_tag(self, artifact: str, tag: str) -> Version | None:
        row = self.index.execute(
            "SELECT version_id FROM tags WHERE artifact = ? AND name = ?", (artifact, tag)
        ).fetchone()
        if row is None:
            return None
        return next((v for v in self.versions(artifact, True) if v.id == row[0]), None)

    def by_oid(self, artifact: str, oid: str) -> Version | None:
        return next((v for v in self.versions(artifact, True) if v.oid == oid), None)

    def artifacts(self) -> list[str]:
        rows = self.index.execute("SELECT DISTINCT artifact FROM versions ORDER BY artifact")
        return [row[0] for row in rows]

    def all_versions(self, include_pruned: bool = False) -> list[Version]:
        where = "" if include_pruned else " WHERE pruned = 0"
        rows = self.index.execute(f"SELECT {_VERSION_COLUMNS} FROM versions{where}").fetchall()
        return [Version(*row) for row in rows]

    def tagged_version_ids(self) -> set[str]:
        return {row[0] for row in self.index.execute("SELECT version_id FROM tags")}

    def _tags_by_version(self, artifact: str) -> dict[str, list[str]]:
        tags: dict[str, list[str]] = {}
        rows = self.index.execute(
            "SELECT version_id, name FROM tags WHERE artifact = ?", (artifact,)
        )
        for version_id, name in rows:
            tags.setdefault(version_id, []).append(name)
        return tags

    # -- writing (caller holds the repo lock) -----------------------------------------------
    def record_version(
        self,
        artifact: str,
        oid: str,
        kind: str,
        size: int,
        nfiles: int,
        author: str,
        message: str,
        producer: str | None = None,
    ) -> Version:
        self.sync(strict=True)  # a number the index does not know of may be taken already
        row = self.index.execute(
            "SELECT MAX(number) FROM versions WHERE artifact = ?", (artifact,)
        ).fetchone()
        version = VersionRecord(
            new_id(),
            artifact,
            (row[0] or 0) + 1,
            oid,
            kind,
            size,
            nfiles,
            time.time(),
            author,
            message,
            producer,
        )
        self.index_record(self.records.write(VERSIONS, version.to_record()))
        return self.by_number(artifact, version.number)

    def set_tag(self, version: Version, name: str) -> None:
        record = self.records.write(
            TAGS,
            {
                "artifact": version.artifact,
                "name": name,
                "version_id": version.id,
                "created": time.time(),
            },
        )
        self.index_record(record)

    def prune(self, versions: list[Version]) -> None:
        record = self.records.write(PRUNES, {"version_ids": [v.id for v in versions]})
        self.index_record(record)

    # -- indexing ---------------------------------------------------------------------------
    def index_record(self, record: Record) -> None:
        """Bring one record into the index (idempotent)."""
        with self.index.transaction() as db:
            index_records(db, INDEXER_BY_KIND[record["kind"]], [record])

    def sync(self, strict: bool = False) -> SyncResult:
        """Index every history record not yet in the index (see :mod:`.record_index`)."""
        return ensure_current(self.index, self.records, HISTORY_INDEXERS, strict)


def _index_tag(db: Any, record: Record) -> None:
    db.execute(
        "INSERT INTO tags VALUES (?, ?, ?, ?) ON CONFLICT (artifact, name) DO UPDATE "
        "SET version_id = excluded.version_id, created = excluded.created "
        "WHERE excluded.created >= tags.created",
        (record["artifact"], record["name"], record["version_id"], record["created"]),
    )


def _index_prune(db: Any, record: Record) -> None:
    db.executemany(
        "UPDATE versions SET pruned = 1 WHERE id = ?", [(vid,) for vid in record["version_ids"]]
    )


def _index_version(db: Any, record: Record) -> None:
    if record["type"] not in ("file", "dir") or (record["type"] == "dir") != str(
        record["oid"]
    ).endswith(TREE_SUFFIX):
        raise ValueError(f"type {record['type']!r} does not match oid {record['oid']!r}")
    version = VersionRecord.from_record(record)
    number = version.number
    clash = db.execute(
        "SELECT 1 FROM versions WHERE artifact = ? AND number = ?", (version.artifact, number)
    ).fetchone()
    if clash:  # two machines made the same vN concurrently: the later one moves to the end
        row = db.execute(
            "SELECT MAX(number) FROM versions WHERE artifact = ?", (version.artifact,)
        ).fetchone()
        number = row[0] + 1
    db.execute(
        "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
        (
            version.id,
            version.artifact,
            number,
            version.oid,
            version.kind,
            version.size,
            version.nfiles,
            version.created,
            version.author,
            version.message,
            version.producer,
        ),
    )


# versions before the tags and prunes that refer to them
HISTORY_INDEXERS = (
    Indexer(VERSIONS, _index_version, ("versions",)),
    Indexer(TAGS, _index_tag, ("tags",)),
    Indexer(PRUNES, _index_prune, ()),
)
INDEXER_BY_KIND = {indexer.kind: indexer for indexer in HISTORY_INDEXERS}
