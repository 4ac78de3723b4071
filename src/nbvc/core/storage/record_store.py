"""Immutable record files under `.nbvc/records/<kind>/<id>.json`.

History (versions, tags, prunes) and, later, runs and lineage are written as small immutable
JSON records. Because a record is never modified and its name is unique, records from several
machines merge by copying files (push/pull), and the SQLite index can always be rebuilt from them.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from typing import Any

from nbvc.core.errors import FormatError, NbvcError
from nbvc.core.formats import limits
from nbvc.core.storage.fsutil import atomic_write_bytes

Record = dict[str, Any]


def new_id() -> str:
    """Unique and sortable by creation time."""
    return f"{time.time_ns():016x}-{os.urandom(4).hex()}"


class RecordStore:
    def __init__(self, root: str) -> None:
        self.root = root

    def path(self, kind: str, record_id: str) -> str:
        return os.path.join(self.root, kind, record_id + ".json")

    def write(self, kind: str, record: Record) -> Record:
        """Write a new record (it gets ``id`` and ``kind``); returns it."""
        record = {"id": new_id(), "kind": kind, **record}
        directory = os.path.join(self.root, kind)
        os.makedirs(directory, exist_ok=True)
        data = json.dumps(record, sort_keys=True).encode("ascii")
        atomic_write_bytes(self.path(kind, record["id"]), data)
        return record

    def exists(self, kind: str, record_id: str) -> bool:
        return os.path.exists(self.path(kind, record_id))

    def remove(self, kind: str, record_id: str) -> None:
        """Delete a record (gc purging a deleted run); its index rows are the caller's."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(kind, record_id))

    def read(self, kind: str, record_id: str) -> Record:
        path = self.path(kind, record_id)
        with open(path, "rb") as handle:
            data = handle.read(limits.MAX_BYTES + 1)
        try:  # damaged in transit, or made elsewhere: local writes are atomic
            record: Record = limits.load_json(data, path)
        except FormatError as exc:
            raise NbvcError(
                f"{path} is not a valid nbvc record ({exc}); "
                "restore it from where it came from (e.g. `nbvc pull`), or remove it"
            ) from None
        return record

    def ids(self, kind: str) -> list[str]:
        try:
            names = os.listdir(os.path.join(self.root, kind))
        except FileNotFoundError:
            return []
        return sorted(name[:-5] for name in names if name.endswith(".json"))

    def iter(self, kind: str) -> Iterator[Record]:
        for record_id in self.ids(kind):
            yield self.read(kind, record_id)
