"""What the version magics show: engine results as :mod:`nbvc.kernel.display` objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from nbvc.core import (
    UNCHANGED,
    add_skipped_note,
    count_text,
    plural,
    short_oid,
    size_text,
    time_text,
)
from nbvc.kernel.display import Cell, CellLike, Preformatted, Rich, Table

if TYPE_CHECKING:
    from nbvc.core import (
        AddResult,
        ArtifactStatus,
        CheckoutResult,
        LineageNode,
        RemoteStatus,
        Script,
        Version,
    )

# states of `nbvc status` (nbvc.core.artifacts.status), by how worrying they are
_STATE_TONES = {"unchanged": "good", "modified": "warn", "deleted": "bad", "not in cache": "warn"}


def human_size(size: int) -> str:
    return size_text(size)


def human_time(timestamp: float) -> str:
    return time_text(timestamp)


def _size_cell(size: int) -> Cell:
    return Cell(human_size(size), sort=str(size))


def added(results: Sequence[AddResult], made_by: Mapping[str | None, str | None]) -> Rich:
    """``made_by``: each producer reference as people read it (``repo.lineage.producer_label``)."""
    rows: list[list[CellLike]] = []
    for result in results:
        v = result.version
        state = Cell("new version", "good") if result.created else Cell("unchanged", "dim")
        rows.append(
            [
                result.artifact,
                v.name,
                state,
                short_oid(v.oid),
                _size_cell(v.size),
                str(v.nfiles),
                ", ".join(v.tags),
                made_by.get(v.producer) or "",
            ]
        )
    columns = ["path", "version", "change", "hash", "size", "files", "tags", "produced by"]
    notes = [note for result in results if (note := add_skipped_note(result))]
    return Rich("nbvc add", [Table(columns, rows)], notes=notes)


def statuses(items: Sequence[ArtifactStatus]) -> Rich:
    if not items:
        return Rich("nbvc status", notes=["No tracked artifacts; `%version_add PATH` starts one."])
    rows: list[list[CellLike]] = []
    for status in items:
        note = ""
        if status.changes is not None:
            c = status.changes
            note = f"{len(c.added)} added, {len(c.removed)} removed, {len(c.modified)} modified"
        rows.append(
            [
                status.artifact,
                f"v{status.version}" if status.version else "-",
                Cell(status.state, _STATE_TONES.get(status.state)),
                note,
            ]
        )
    return Rich("nbvc status", [Table(["path", "version", "state", "changes"], rows)])


def changed(items: Sequence[ArtifactStatus]) -> str:
    """What ``--exit-code`` fails the cell with: the artifacts not unchanged ("" if none)."""
    found = [f"{s.artifact} ({s.state})" for s in items if s.state != UNCHANGED]
    return f"not unchanged: {', '.join(found)}" if found else ""


def remote_status(result: RemoteStatus) -> Rich:
    """What is missing here and on the remote (``%version_status --remote``)."""
    rows: list[list[CellLike]] = [
        [
            a.artifact,
            f"v{a.version}" if a.version else "-",
            _missing(a.missing_local, a.objects, "%version_pull"),
            _missing(a.missing_remote, a.objects, "%version_push"),
        ]
        for a in result.artifacts
    ]
    table = Table(["path", "version", "here", f"on {result.remote}"], rows)
    records = (
        f"records: {count_text(result.records_to_push)} to push, "
        f"{count_text(result.records_to_fetch)} to fetch"
    )
    return Rich(f"nbvc status --remote {result.remote}", [table], notes=[records])


def _missing(missing: int | None, total: int | None, fix: str) -> Cell:
    if missing is None or total is None:
        return Cell("unknown (folder manifest not found)", "warn")
    if missing == 0:
        return Cell("complete", "good")
    return Cell(f"{count_text(missing)} of {plural(total, 'object')} missing ({fix})", "warn")


def out_of_sync(result: RemoteStatus) -> str:
    """What ``--remote --exit-code`` fails the cell with ("" when all is on both sides)."""
    return "" if result.in_sync else f"not in sync with remote {result.remote}"


def log(
    artifact: str, versions: Sequence[Version], made_by: Mapping[str | None, str | None]
) -> Rich:
    rows: list[list[CellLike]] = [
        [
            Cell(v.name, sort=f"{v.number:09d}"),
            short_oid(v.oid),
            _size_cell(v.size),
            str(v.nfiles),
            human_time(v.created),
            ", ".join(v.tags),
            v.message,
            made_by.get(v.producer) or "",
        ]
        for v in versions
    ]
    columns = ["version", "hash", "size", "files", "time", "tags", "message", "produced by"]
    notes = [] if versions else ["No versions recorded yet."]
    return Rich(f"nbvc log {artifact}", [Table(columns, rows, sortable=True)], notes)


def checked_out(results: Sequence[CheckoutResult]) -> Rich:
    notes = []
    for result in results:
        target = result.target
        if result.changed:
            what = f"restored {target.label} ({result.written} written, {result.deleted} removed)"
        else:
            what = f"already at {target.label}"
        notes.append(f"{target.artifact}: {what}")
    return Rich("nbvc checkout", notes=notes)


def lineage(root: LineageNode) -> Preformatted:
    from nbvc.core import describe_node, render_lineage

    mermaid = "```mermaid\n" + render_lineage(root, "mermaid") + "\n```"
    return Preformatted(f"lineage of {describe_node(root)}", render_lineage(root), "", mermaid)


def script(result: Script) -> Preformatted:
    return Preformatted("", result.text, "python")
