"""Saving cell runs: the source into the object store, the run as an immutable record."""

from __future__ import annotations

from nbvc.core.errors import NbvcError
from nbvc.core.hashing import hash_bytes
from nbvc.core.lineage import index as lineage_index
from nbvc.core.lineage.model import LINEAGE, CellRun
from nbvc.core.repo import Repo


def source_oid(source: str) -> str:
    return hash_bytes(source.encode("utf-8"))


def save(repo: Repo, cell: CellRun, source: str) -> None:
    """Store ``source`` and write ``cell`` as a lineage record, then index it.

    The lock keeps `nbvc gc` from deleting the source between the two writes.
    """
    data = source.encode("utf-8")
    if hash_bytes(data) != cell.source_oid:
        raise ValueError(f"cell {cell.id}: source does not match source_oid")
    with repo.lock():
        repo.odb.add_bytes(data)
        record = repo.records.write(LINEAGE, cell.to_record())
    lineage_index.index_record(repo.index, record)


def load_source(repo: Repo, cell: CellRun) -> str:
    try:
        return repo.odb.read_bytes(cell.source_oid).decode("utf-8")
    except NbvcError as exc:
        raise type(exc)(
            f"the source of cell {cell.label} ({cell.id}) is unavailable: {exc}"
        ) from None


def reindex(repo: Repo) -> int:
    return lineage_index.reindex(repo.records, repo.index)


def kept_objects(repo: Repo) -> set[str]:
    """Objects lineage records refer to (cell sources); gc keeps them."""
    reindex(repo)
    return lineage_index.source_oids(repo.index)
