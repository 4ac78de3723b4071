"""A cheap change token, so the side panel can poll every second or two.

The token changes whenever something the panel shows may have changed, whoever changed it (a
kernel, the CLI, another browser tab): a record written (versions, tags, prunes, and later runs
and lineage: each kind is a folder under `.nbvc/records/` whose mtime and entry count move when
a record is added), a run opened or closed (its journal in `.nbvc/tmp/runs/` created or removed,
so a notebook that starts logging shows as a run in progress), a sweep started or ended (its
folder in `.nbvc/tmp/exps/`, so a sweep started in a terminal shows at once), a pointer file
written or removed, a tracked path replaced or its top level changed, or the config edited.
Nothing is hashed and SQLite is not touched.

Finding pointer files takes a walk of the workspace (tens of milliseconds in a big one), so
:class:`PointerCache` walks at most every few seconds and polls in between stat only the
pointers it knows. A new version or tag still shows at once (it writes a record); a pointer
file that appears without one (a `git checkout` of another branch) shows within that interval.

The index's WAL is deliberately left out: status writes its stat cache there, so including it
would make every refresh announce a change and trigger the next one.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time

from nbvc.core import POINTER_SUFFIX, Repo

RESCAN_SECONDS = 5.0


class PointerCache:
    """The tracked artifacts of each repo, found again by a full walk every ``rescan`` s."""

    def __init__(self, rescan: float = RESCAN_SECONDS) -> None:
        self.rescan = rescan
        self._found: dict[str, tuple[float, list[str]]] = {}
        self._lock = threading.Lock()

    def artifacts(self, repo: Repo) -> list[str]:
        now = time.monotonic()
        with self._lock:
            cached = self._found.get(repo.root)
        if cached is not None and now - cached[0] < self.rescan:
            return cached[1]
        found = repo.tracked()
        with self._lock:
            self._found[repo.root] = (now, found)
        return found


def change_token(repo: Repo, artifacts: list[str]) -> str:
    """A short hex token that changes when ``repo`` (with these tracked artifacts) changes."""
    digest = hashlib.blake2b(digest_size=12)
    for line in _signature(repo, artifacts):
        digest.update(line.encode("utf-8", "surrogateescape"))
        digest.update(b"\n")
    return digest.hexdigest()


def _signature(repo: Repo, artifacts: list[str]) -> list[str]:
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
        lines.append(f"{_stamp(f'records/{kind}', folder)} {_count(folder)}")
    for name, folder in (("journals", "runs"), ("sweeps", "exps")):
        path = os.path.join(repo.dot, "tmp", folder)
        lines.append(f"{_stamp(name, path)} {_count(path)}")
    for artifact in artifacts:
        path = repo.abspath(artifact)
        lines.append(_stamp(artifact + POINTER_SUFFIX, path + POINTER_SUFFIX))
        lines.append(_stamp(artifact, path))
    return lines


def _stamp(name: str, path: str) -> str:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return f"{name} -"
    return f"{name} {st.st_mtime_ns} {st.st_size} {st.st_ino}"


def _count(folder: str) -> int:
    try:
        return len(os.listdir(folder))
    except FileNotFoundError:
        return 0
