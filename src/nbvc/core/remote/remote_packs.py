"""Which chunks a remote holds: the union of its pack indexes.

A remote's packs are listed with one listing of ``packs/``; their indexes are small and, since a
pack is named by its content and never changes, each index is downloaded once and kept in
`.nbvc/cache/remotes/<remote key>/`. An index on the remote means its pack is complete there
(uploads send the pack first). A chunk found damaged on a remote is listed in ``<pack>.bad``
(a JSON list of hex digests): it no longer counts as present, so the next push from a machine
with a good copy sends it again, into a new pack.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field

from nbvc.core.remote.fs import Remote
from nbvc.core.remote.ledger import remote_key
from nbvc.core.remote.parallel import parallel_map
from nbvc.core.repo import Repo
from nbvc.core.storage.fsutil import atomic_write_bytes
from nbvc.core.storage.packs import (
    IDX_SUFFIX,
    PACK_SUFFIX,
    Entry,
    Location,
    PackError,
    decode_index,
    is_pack_name,
)

BAD_SUFFIX = ".bad"
PACKS = "packs"


@dataclass
class RemotePacks:
    """The chunks on one remote: where each lies, and each pack's size in chunk bytes."""

    locations: dict[bytes, Location] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    bad: dict[str, set[bytes]] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)  # packs whose index is damaged

    def has(self, digest: bytes) -> bool:
        return digest in self.locations


def load(repo: Repo, remote: Remote) -> RemotePacks:
    """List the remote's packs and read their indexes (from the local copy when there is one)."""
    names = [rel.rsplit("/", 1)[-1] for rel in remote.list_files(PACKS)]
    indexed = sorted(
        n.removesuffix(IDX_SUFFIX)
        for n in names
        if n.endswith(IDX_SUFFIX) and is_pack_name(n.removesuffix(IDX_SUFFIX))
    )
    flagged = [n.removesuffix(BAD_SUFFIX) for n in names if n.endswith(BAD_SUFFIX)]
    cache = _cache_dir(repo, remote)
    read = parallel_map(remote.jobs, lambda name: _index(remote, cache, name), indexed)
    bad = parallel_map(remote.jobs, lambda name: read_bad(remote, name), flagged)
    found = RemotePacks(bad={n: b for n, b in zip(flagged, bad, strict=True) if b})
    for name, entries in zip(indexed, read, strict=True):
        if entries is None:
            found.unreadable.append(name)
            continue
        damaged = found.bad.get(name, set())
        found.entries[name] = entries
        found.sizes[name] = sum(e.length for e in entries)
        for digest, offset, length in entries:
            if digest not in damaged:
                found.locations.setdefault(digest, Location(name, offset, length))
    return found


def _index(remote: Remote, cache: str, name: str) -> list[Entry] | None:
    local = os.path.join(cache, name + IDX_SUFFIX)
    with contextlib.suppress(FileNotFoundError, PackError), open(local, "rb") as handle:
        return decode_index(handle.read())
    data = remote.read_bytes(remote.pack_path(name, IDX_SUFFIX))
    if data is None:
        return None
    try:
        entries = decode_index(data)
    except PackError:
        return None
    os.makedirs(cache, exist_ok=True)
    atomic_write_bytes(local, data)
    return entries


def read_bad(remote: Remote, name: str) -> set[bytes]:
    data = remote.read_bytes(remote.pack_path(name, BAD_SUFFIX))
    if data is None:
        return set()
    try:
        return {bytes.fromhex(d) for d in json.loads(data)}
    except (ValueError, TypeError):
        return set()


def mark_bad(remote: Remote, name: str, digests: set[bytes]) -> None:
    """Record chunks of pack ``name`` as damaged on the remote (merged with earlier marks)."""
    merged = read_bad(remote, name) | digests
    remote.make_dirs(["tmp", PACKS])
    data = json.dumps(sorted(d.hex() for d in merged)).encode()
    remote.write_bytes(remote.pack_path(name, BAD_SUFFIX), data)


def remember(repo: Repo, remote: Remote, name: str, index: bytes) -> None:
    """Keep the index of a pack just uploaded, so the next push need not download it."""
    cache = _cache_dir(repo, remote)
    os.makedirs(cache, exist_ok=True)
    atomic_write_bytes(os.path.join(cache, name + IDX_SUFFIX), index)


def pack_data_path(remote: Remote, name: str) -> str:
    return remote.pack_path(name, PACK_SUFFIX)


def _cache_dir(repo: Repo, remote: Remote) -> str:
    return os.path.join(repo.dot, "cache", "remotes", remote_key(remote.url))
