"""`nbvc fsck`: re-hash every cached object; quarantine the ones whose content has changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from nbvc.core.artifacts.build import BATCH
from nbvc.core.progress import Reporter
from nbvc.core.repo import Repo


@dataclass
class FsckResult:
    checked: int = 0
    corrupt: list[tuple[str, str]] = field(default_factory=list)  # oid, where it was moved

    @property
    def ok(self) -> bool:
        return not self.corrupt


def fsck(repo: Repo, reporter: Reporter) -> FsckResult:
    oids = list(repo.odb.iter_oids())
    result = FsckResult(checked=len(oids))
    task = reporter.task("fsck", len(oids), unit="object")

    def check(batch: list[str]) -> list[str]:
        bad = [oid for oid in batch if not _intact(repo, oid)]
        task.advance(len(batch))
        return bad

    with repo.pool() as pool:
        batches = [oids[i : i + BATCH] for i in range(0, len(oids), BATCH)]
        corrupt = [oid for bad in pool.map(check, batches) for oid in bad]
    task.close()
    if corrupt:
        with repo.lock():
            result.corrupt = [(oid, repo.odb.quarantine(oid)) for oid in corrupt]
            repo.index.forget_complete()
            repo.index.stat_forget(corrupt)
    return result


def _intact(repo: Repo, oid: str) -> bool:
    try:
        return repo.odb.verify(oid)
    except OSError:
        return False
