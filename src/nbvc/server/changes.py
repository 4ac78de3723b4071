"""A cheap change token, so the side panel can poll every second or two.

The token changes whenever something the panel shows may have changed, whoever changed it (a
kernel, the CLI, another browser tab): a record written (versions, tags, prunes, and later runs
and lineage: each kind is a folder under `.nbvc/records/` whose mtime moves when a record is
added), a pointer file written or removed, a tracked path replaced or its top level changed, or
the config edited. Computing it costs a walk for pointer files plus a few `stat` calls; nothing
is hashed and SQLite is not touched.

The index's WAL is deliberately left out: status writes its stat cache there, so including it
would make every refresh announce a change and trigger the next one.
"""

from __future__ import annotations

import hashlib
import os

from nbvc.core.pointer import SUFFIX
from nbvc.core.repo import Repo


def change_token(repo: Repo) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for line in _signature(repo):
        digest.update(line.encode("utf-8", "surrogateescape"))
        digest.update(b"\n")
    return digest.hexdigest()


def _signature(repo: Repo) -> list[str]:
    lines = [_stamp("config", os.path.join(repo.dot, name)) for name in ("config", "config.local")]
    records = os.path.join(repo.dot, "records")
    lines.append(_stamp("records", records))
    try:
        kinds = sorted(entry.name for entry in os.scandir(records) if entry.is_dir())
    except FileNotFoundError:
        kinds = []
    for kind in kinds:
        folder = os.path.join(records, kind)
        # the count catches a second record written within the mtime's granularity
        lines.append(f"{_stamp(f'records/{kind}', folder)} {len(os.listdir(folder))}")
    for artifact in sorted(repo.workspace.pointers()):
        path = repo.abspath(artifact)
        lines.append(_stamp(artifact + SUFFIX, path + SUFFIX))
        lines.append(_stamp(artifact, path))
    return lines


def _stamp(name: str, path: str) -> str:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return f"{name} -"
    return f"{name} {st.st_mtime_ns} {st.st_size} {st.st_ino}"
