"""`nbvc gc --rechunk`: store the big whole objects of an older cache as chunks.

Each whole object of at least ``cache.chunk_min_size`` bytes is chunked into new packs; only once
its manifest is durable in the cache is the whole object deleted, so a crash at any point leaves
the file stored (whole, as chunks, or both for a moment, which lists it once). An object whose
content no longer matches its name is quarantined, not converted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from nbvc.core.progress import Reporter
from nbvc.core.repo import Repo
from nbvc.core.storage import fsutil
from nbvc.core.storage.hashing import is_tree_oid
from nbvc.core.storage.odb import Staged, StoredFile


@dataclass
class RechunkResult:
    converted: list[str] = field(default_factory=list)
    bytes_before: int = 0  # of the whole objects converted
    corrupt: list[str] = field(default_factory=list)  # quarantined instead


def rechunk(repo: Repo, dry_run: bool, reporter: Reporter) -> RechunkResult:
    """Convert the cache's big whole objects; the caller holds ``repo.collecting()``."""
    odb = repo.odb
    result = RechunkResult()
    if not odb.chunk_min_size:
        return result
    todo = []
    for oid in odb.iter_oids():
        if is_tree_oid(oid) or odb.is_chunked(oid):
            continue
        size = os.stat(odb.path(oid)).st_size
        if odb.should_chunk(size):
            todo.append((oid, size))
    task = reporter.task("rechunk", sum(size for _, size in todo) or None, unit="B")
    for oid, size in todo:
        if not dry_run and not _convert(repo, oid):
            result.corrupt.append(oid)
        else:
            result.converted.append(oid)
            result.bytes_before += size
        task.advance(size)
    task.close()
    if result.converted and not dry_run:
        repo.index.forget_complete()
    return result


def _convert(repo: Repo, oid: str) -> bool:
    odb = repo.odb
    fd = os.open(odb.path(oid), os.O_RDONLY)
    try:
        staged = odb.chunks.stage(fd)
    finally:
        os.close(fd)
    item = Staged(StoredFile(oid, staged.size, 0, 0), staged.manifest_tmp, True, staged.packs)
    if staged.oid != oid:
        odb.discard([item])
        odb.quarantine(oid)
        return False
    odb.commit([item], convert=True)
    fsutil.remove_file(odb.path(oid))  # the manifest is durable: the whole copy may go
    return True
