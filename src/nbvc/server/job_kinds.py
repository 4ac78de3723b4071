"""The kinds of job that ``POST /nbvc/api/jobs`` starts, and how each turns its args into work.

Each kind parses its ``args`` up front (a bad argument is a 400, not a failed job), checks that
``args.path`` lies in a repo under the server root (else a 404), and returns the job function.
The function opens its own :class:`~nbvc.core.repo.Repo` on the job thread and closes it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass

from nbvc.core import NbvcError, Repo
from nbvc.server import service
from nbvc.server.errors import BAD_REQUEST, ApiError, from_engine, from_system, hide_root
from nbvc.server.jobs import JobFailed, JobFn, Json, Progress
from nbvc.server.params import (
    CheckoutRequest,
    FsckRequest,
    GcRequest,
    parse_add,
    parse_pull,
    parse_push,
    parse_repro,
)
from nbvc.server.paths import artifact_path, open_repo

RepoWork = Callable[[Repo, Progress], Json]


@dataclass(frozen=True)
class Plan:
    """A parsed job request: where the repo is, which artifacts it names, what to do."""

    location: str  # relative to the server root
    artifacts: list[str]  # relative to the repo root; checked before the job starts
    work: RepoWork


@dataclass(frozen=True)
class JobKind:
    name: str
    description: str
    parse: Callable[[object], Plan]


def _add(args: object) -> Plan:
    r = parse_add(args, "job args")
    return Plan(r.path, list(r.options.paths), lambda repo, p: service.add(repo, r.options, p))


def _checkout(args: object) -> Plan:
    r = CheckoutRequest.parse(args, "job args")

    def work(repo: Repo, progress: Progress) -> Json:
        return service.checkout(repo, r.artifact, r.ref, r.force, progress)

    return Plan(r.path, [r.artifact], work)


def _gc(args: object) -> Plan:
    r = GcRequest.parse(args, "job args")
    return Plan(r.path, [], lambda repo, p: service.gc(repo, r.dry_run, r.keep_last, p))


def _fsck(args: object) -> Plan:
    r = FsckRequest.parse(args, "job args")
    return Plan(r.path, [], service.fsck)


def _repro(args: object) -> Plan:
    r = parse_repro(args, "job args")

    def work(repo: Repo, progress: Progress) -> Json:
        from nbvc.server.repro_job import run_repro

        return run_repro(repo, r.options, progress)

    return Plan(r.path, [], work)


def _push(args: object) -> Plan:
    r = parse_push(args, "job args")

    def work(repo: Repo, progress: Progress) -> Json:
        from nbvc.server.transfer_job import push

        return push(repo, r.options, progress)

    return Plan(r.path, list(r.options.paths), work)


def _pull(args: object) -> Plan:
    r = parse_pull(args, "job args")

    def work(repo: Repo, progress: Progress) -> Json:
        from nbvc.server.transfer_job import pull

        return pull(repo, r.options, progress)

    return Plan(r.path, list(r.options.paths), work)


KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (
        JobKind("add", "snapshot paths into the cache and record versions", _add),
        JobKind("checkout", "restore a version of an artifact into the workspace", _checkout),
        JobKind("gc", "delete cached objects nothing references", _gc),
        JobKind("fsck", "re-hash every cached object, quarantining corrupt ones", _fsck),
        JobKind("repro", "run the pipeline's stages whose inputs changed, as one run", _repro),
        JobKind("push", "send data and records a remote lacks", _push),
        JobKind("pull", "fetch data and records from a remote, then check out", _pull),
    )
}


def prepare(server_root: str, kind: str, args: object) -> JobFn:
    """Validate a job request; the returned function does the work on a job thread."""
    job_kind = KINDS.get(kind)
    if job_kind is None:
        raise ApiError(BAD_REQUEST, f"unknown job kind {kind!r}; use one of {', '.join(KINDS)}")
    plan = job_kind.parse(args)
    try:
        with open_repo(server_root, plan.location) as repo:
            for artifact in plan.artifacts:
                artifact_path(repo, artifact)
    except NbvcError as exc:
        raise from_engine(exc, server_root) from exc

    def run(progress: Progress, cancel: threading.Event) -> Json:
        try:
            with open_repo(server_root, plan.location) as repo:
                return plan.work(repo, progress)
        except NbvcError as exc:
            raise JobFailed(hide_root(str(exc), server_root)) from exc
        except ApiError as exc:
            raise JobFailed(exc.message) from exc
        except OSError as exc:  # a full disk, a read-only repo
            raise JobFailed(from_system(exc, server_root).message) from exc
        except sqlite3.Error as exc:
            raise JobFailed(f"the index failed ({exc}); try again") from exc

    return run
