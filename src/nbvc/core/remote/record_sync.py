"""Sharing records (history, runs, lineage...) with a remote.

Records are immutable and uniquely named, so syncing is copying the files that the other side
lacks, kind by kind, for every kind folder found on either side (new kinds need no change here).
A fetched record is checked (valid JSON whose ``id`` and ``kind`` match its name) before it is
written, and the index is brought up to date afterwards.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from nbvc.core.errors import FormatError
from nbvc.core.formats import limits
from nbvc.core.remote.fs import Remote
from nbvc.core.remote.parallel import parallel_map
from nbvc.core.repo import Repo
from nbvc.core.storage.fsutil import atomic_write_bytes

RECORDS = "records"
_KIND_RE = re.compile(r"[a-z][a-z0-9_\-]*")
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")

RecordKey = tuple[str, str]  # kind, id


@dataclass
class RecordSync:
    copied: int = 0
    rejected: list[str] = field(default_factory=list)  # remote paths of invalid records


def local_keys(repo: Repo) -> set[RecordKey]:
    root = repo.records.root
    try:
        kinds = [k for k in os.listdir(root) if _KIND_RE.fullmatch(k)]
    except FileNotFoundError:
        return set()
    return {(k, rid) for k in kinds for rid in repo.records.ids(k) if _ID_RE.fullmatch(rid)}


def remote_keys(remote: Remote) -> set[RecordKey]:
    keys = set()
    for rel in remote.list_files(RECORDS):
        parts = rel.split("/")
        if len(parts) != 3 or not parts[2].endswith(".json"):
            continue
        kind, rid = parts[1], parts[2][: -len(".json")]
        if _KIND_RE.fullmatch(kind) and _ID_RE.fullmatch(rid):
            keys.add((kind, rid))
    return keys


def push(repo: Repo, remote: Remote) -> RecordSync:
    """Upload the records the remote lacks."""
    missing = sorted(local_keys(repo) - remote_keys(remote))

    def upload(key: RecordKey) -> None:
        with open(repo.records.path(*key), "rb") as handle:
            data = handle.read()
        remote.write_bytes(remote.record_path(*key), data)

    remote.make_dirs(["tmp", *{f"{RECORDS}/{kind}" for kind, _ in missing}] if missing else [])
    parallel_map(remote.jobs, upload, missing)
    return RecordSync(copied=len(missing))


def fetch(repo: Repo, remote: Remote) -> RecordSync:
    """Download the records this repo lacks, then index them."""
    missing = sorted(remote_keys(remote) - local_keys(repo))
    result = RecordSync()

    def download(key: RecordKey) -> str:
        path = remote.record_path(*key)
        data = remote.read_bytes(path)
        if data is None:  # deleted since the listing: nothing to copy
            return "gone"
        if not _valid(data, *key):
            result.rejected.append(path)
            return "rejected"
        os.makedirs(os.path.dirname(repo.records.path(*key)), exist_ok=True)
        atomic_write_bytes(repo.records.path(*key), data)
        return "copied"

    with repo.lock():
        result.copied = parallel_map(remote.jobs, download, missing).count("copied")
        if result.copied:
            repo.reindex()
    return result


def _valid(data: bytes, kind: str, record_id: str) -> bool:
    try:
        doc = limits.load_json(data, f"record {record_id}")
    except FormatError:
        return False
    return isinstance(doc, dict) and doc.get("id") == record_id and doc.get("kind") == kind
