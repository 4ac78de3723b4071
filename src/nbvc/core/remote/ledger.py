"""What this clone last pushed to each remote, so that a push with nothing new skips connecting.

Connecting to S3 alone costs more than 0.3 s (importing the S3 client), while a push right after
a push has nothing to send. After a push that moved everything it had to, this clone keeps in
`.nbvc/cache/remotes/<remote key>/pushed.json` a fingerprint of its records (all of which the
push sent) and every root object the push covered, each with the time. A later push whose
records are the same and whose roots were all covered within :data:`TRUST_SECONDS` reports
the remote up to date without asking it.

The remote can lose objects meanwhile only by an explicit act: `nbvc gc --remote` of pruned
versions, or a fetch that removed damaged objects. This clone forgets the ledger when it does
either; another clone doing it is what the time limit bounds. `nbvc push --check` always asks.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable
from typing import Any

from blake3 import blake3

from nbvc.core.repo import Repo
from nbvc.core.storage.fsutil import atomic_write_bytes, remove_file

TRUST_SECONDS = 300.0
LEDGER = "pushed.json"


def fingerprint(record_keys: Iterable[tuple[str, str]]) -> str:
    hasher = blake3()
    for kind, record_id in sorted(record_keys):
        hasher.update(f"{kind} {record_id}\n".encode())
    return hasher.hexdigest()


def up_to_date(repo: Repo, url: str, records: str, roots: Iterable[str]) -> bool:
    """True if the remote got these records and (recently) every one of ``roots``."""
    doc = _load(repo, url)
    if doc.get("records") != records:
        return False
    pushed = doc["roots"]
    return all(oid in pushed for oid in roots)


def remember(repo: Repo, url: str, records: str, roots: Iterable[str]) -> None:
    """After a complete push: the remote has these records and these roots, as of now."""
    doc = _load(repo, url)
    now = time.time()
    pushed = doc["roots"] | dict.fromkeys(roots, now)
    doc = {"url": url, "records": records, "roots": pushed}
    path = _path(repo, url)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with contextlib.suppress(OSError):
        atomic_write_bytes(path, json.dumps(doc).encode())


def forget(repo: Repo, url: str) -> None:
    """The remote lost objects (gc, repair): the next push asks it."""
    remove_file(_path(repo, url))


def _load(repo: Repo, url: str) -> dict[str, Any]:
    """The ledger with the roots pushed within :data:`TRUST_SECONDS` (empty if unreadable)."""
    empty: dict[str, Any] = {"records": None, "roots": {}}
    try:
        with open(_path(repo, url), "rb") as handle:
            doc = json.loads(handle.read())
    except (OSError, ValueError):
        return empty
    roots = doc.get("roots") if isinstance(doc, dict) else None
    if not isinstance(roots, dict):
        return empty
    now = time.time()
    fresh = {
        oid: at
        for oid, at in roots.items()
        if isinstance(at, (int, float)) and 0 <= now - at < TRUST_SECONDS
    }
    return {"records": doc.get("records"), "roots": fresh}


def remote_key(url: str) -> str:
    return blake3(url.encode("utf-8")).hexdigest()[:16]


def _path(repo: Repo, url: str) -> str:
    return os.path.join(repo.dot, "cache", "remotes", remote_key(url), LEDGER)
