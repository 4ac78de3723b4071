"""What this clone last pushed to each remote, so that a push with nothing new skips connecting.

Connecting to S3 alone costs more than 0.3 s (importing the S3 client), while a push right after
a push has nothing to send. After a push that moved everything it had to, the fingerprint of
what it covered (every local record and every root object it was asked to send) is kept in
`.nbvc/cache/remotes/<remote key>/pushed.json` with the time. A later push whose fingerprint is
the same, within :data:`TRUST_SECONDS`, reports the remote up to date without asking it.

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

from blake3 import blake3

from nbvc.core.repo import Repo
from nbvc.core.storage.fsutil import atomic_write_bytes, remove_file

TRUST_SECONDS = 300.0
LEDGER = "pushed.json"


def fingerprint(record_keys: Iterable[tuple[str, str]], roots: Iterable[str]) -> str:
    hasher = blake3()
    for kind, record_id in sorted(record_keys):
        hasher.update(f"r {kind} {record_id}\n".encode())
    for oid in sorted(set(roots)):
        hasher.update(f"o {oid}\n".encode())
    return hasher.hexdigest()


def up_to_date(repo: Repo, url: str, print_: str) -> bool:
    """True if the last complete push to ``url`` covered exactly this, recently enough."""
    try:
        with open(_path(repo, url), "rb") as handle:
            doc = json.loads(handle.read())
    except (OSError, ValueError):
        return False
    if not isinstance(doc, dict) or doc.get("fingerprint") != print_:
        return False
    pushed = doc.get("time")
    return isinstance(pushed, (int, float)) and 0 <= time.time() - pushed < TRUST_SECONDS


def remember(repo: Repo, url: str, print_: str) -> None:
    path = _path(repo, url)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    doc = {"url": url, "fingerprint": print_, "time": time.time()}
    with contextlib.suppress(OSError):
        atomic_write_bytes(path, json.dumps(doc).encode())


def forget(repo: Repo, url: str) -> None:
    """The remote lost objects (gc, repair): the next push asks it."""
    remove_file(_path(repo, url))


def remote_key(url: str) -> str:
    return blake3(url.encode("utf-8")).hexdigest()[:16]


def _path(repo: Repo, url: str) -> str:
    return os.path.join(repo.dot, "cache", "remotes", remote_key(url), LEDGER)
