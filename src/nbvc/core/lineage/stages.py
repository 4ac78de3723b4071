"""Pipeline stages in the lineage graph: what a stage read, from the run that executed it.

A version made by `nbvc repro` names its producer ``stage:<name>@<run id>``; that run's record
lists, for each stage, the content hash of every dep (``stages.<name>.deps``) and what the stage
runs (``definition``).
"""

from __future__ import annotations

from typing import Any

from nbvc.core.lineage.cell_record import FileAccess
from nbvc.core.lineage.files import TrackedLookup
from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import read_run


def stage_entry(repo: Repo, stage: str, run_id: str) -> dict[str, Any]:
    """The stage's part of the run record; empty if the run record is not here."""
    try:
        record = read_run(repo, run_id)
    except (FileNotFoundError, ValueError):
        return {}
    entry: dict[str, Any] = record.stages.get(stage) or {}
    return entry


def stage_inputs(repo: Repo, stage: str, run_id: str) -> list[FileAccess]:
    deps: dict[str, str] = stage_entry(repo, stage, run_id).get("deps") or {}
    lookup = TrackedLookup(repo)
    return [lookup.access(path, oid, None) for path, oid in sorted(deps.items())]


def stage_command(repo: Repo, stage: str, run_id: str) -> str | None:
    """What the stage ran: its command(s), or the notebook it executed."""
    definition = stage_entry(repo, stage, run_id).get("definition") or {}
    if "notebook" in definition:
        return f"notebook {definition['notebook'].get('path')}"
    cmd = definition.get("cmd")
    if isinstance(cmd, list):
        return " && ".join(str(c) for c in cmd)
    return str(cmd) if cmd else None
