"""What an executor receives and sends back: plain, picklable values, never a live repo.

A task names the point's params, the stages, the run-cache entries that could apply and where the
data comes from: either the client's own cache (``local``: inline runs and a Dask LocalCluster on
this machine) or a remote (``remote``: workers on other machines fetch from and push to it). The
code travels beside it as a :class:`~nbvc.core.experiments.snapshot.CodeSnapshot`, sent once
per worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nbvc.core.experiments.sweep_spec import Point


@dataclass(frozen=True)
class LocalStore:
    """The client's ``.nbvc`` folder, reachable from the worker (same machine)."""

    dot: str


@dataclass(frozen=True)
class RemoteStore:
    """A remote as the worker connects to it (credentials come from the worker's environment)."""

    name: str
    url: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExpTask:
    exp_id: str
    name: str
    sweep_id: str
    point: Point
    targets: tuple[str, ...]
    tags: tuple[str, ...]
    code: dict[str, Any]  # the snapshot's description (git commit, dirty, tree oid)
    store: LocalStore | RemoteStore
    cache_rows: tuple[tuple[Any, ...], ...] = ()  # run-cache entries for the sweep's stages
    run_cache: bool = True
    cancel_file: str | None = None  # local runs: a file whose existence cancels the sweep
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> out of a stage
    single_item: bool = False  # run only the target stages (their inputs are given)


@dataclass(frozen=True)
class ExpResult:
    """An experiment's run record (as written to ``.nbvc/records/runs``), or why there is none."""

    exp_id: str
    record: dict[str, Any]
    host: str
    pid: int


def cancel_event_name(sweep_id: str) -> str:
    """The Dask Event a client sets to cancel a sweep on remote workers."""
    return f"nbvc-cancel-{sweep_id}"


def progress_topic(sweep_id: str) -> str:
    """The Dask event topic workers log ``started`` to."""
    return f"nbvc-exp-{sweep_id}"
