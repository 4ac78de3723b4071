"""Saving cell runs: the source into the object store, the run as an immutable record."""

from __future__ import annotations

from collections.abc import Sequence

from nbvc.core.errors import NbvcError
from nbvc.core.lineage import lineage_index
from nbvc.core.lineage.cell_record import CellRecord
from nbvc.core.lineage.lineage_tables import LINEAGE
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import hash_bytes


def source_oid(source: str) -> str:
    return hash_bytes(source.encode("utf-8"))


def save(repo: Repo, cells: Sequence[tuple[CellRecord, str]]) -> None:
    """Store each cell's source, write each cell as a lineage record, then index them.

    The lock keeps `nbvc gc` from deleting a source before its record exists.
    """
    for cell, source in cells:
        if source_oid(source) != cell.source_oid:
            raise ValueError(f"cell {cell.id}: source does not match source_oid")
    records = []
    with repo.lock():
        for cell, source in cells:
            repo.odb.add_bytes(source.encode("utf-8"))
            records.append(repo.records.write(LINEAGE, cell.to_record()))
    lineage_index.index_records(repo.index, records)


def load_source(repo: Repo, cell: CellRecord) -> str:
    try:
        return repo.odb.read_bytes(cell.source_oid).decode("utf-8")
    except NbvcError as exc:
        raise type(exc)(
            f"the source of cell {cell.label} ({cell.id}) is unavailable: {exc}"
        ) from None


def reindex(repo: Repo) -> int:
    return repo.reindex(strict=False)


def kept_objects(repo: Repo) -> set[str]:
    """Objects lineage records refer to (cell sources); gc keeps them."""
    reindex(repo)
    return lineage_index.source_oids(repo.index)
