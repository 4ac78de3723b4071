"""The ``push`` and ``pull`` jobs: move data and records to or from a configured remote.

Partial failures (objects missing or corrupt on one side) fail the job with the engine's
sentences saying what to do next; what did move stays moved, and running the job again sends
only the rest.
"""

from __future__ import annotations

from dataclasses import replace

from nbvc.core import (
    PullOptions,
    PushOptions,
    Repo,
    TransferOptions,
    TransferResult,
    option_values,
    transfer_summary,
)
from nbvc.server.jobs import JobFailed, Json, Progress
from nbvc.server.paths import artifact_path


def push(repo: Repo, options: PushOptions, progress: Progress) -> Json:
    result = repo.push(**option_values(_in_repo(repo, options)), reporter=progress)
    _check(result, progress)
    return _transfer(result)


def pull(repo: Repo, options: PullOptions, progress: Progress) -> Json:
    result = repo.pull(**option_values(_in_repo(repo, options)), reporter=progress)
    _check(result.fetch, progress)
    return {
        **_transfer(result.fetch),
        "checked_out": [
            {"path": c.target.artifact, "version": c.target.label, "changed": c.changed}
            for c in result.checkouts
        ],
        "skipped": result.skipped,
    }


def _in_repo(repo: Repo, options: TransferOptions) -> TransferOptions:
    """The options with the targets (named relative to the repo root) as engine paths."""
    return replace(options, paths=tuple(artifact_path(repo, target) for target in options.paths))


def _check(result: TransferResult, progress: Progress) -> None:
    progress.log(transfer_summary(result))
    if not result.ok:
        raise JobFailed("; ".join(result.problems()))


def _transfer(result: TransferResult) -> Json:
    return {
        "remote": result.remote,
        "objects": result.objects,
        "bytes": result.bytes,
        "records": result.records,
    }
