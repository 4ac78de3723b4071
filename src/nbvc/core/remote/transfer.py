"""`nbvc push`, `nbvc fetch` and `nbvc pull`: move only what the other side lacks.

Records travel first (both ways), then objects: files before the trees that list them. This
keeps one invariant that makes a push with nothing to send cost one existence check per tracked
folder: **a tree object on the remote means every file it lists is there too**. Push uploads a
tree only after all of its files arrived; a fetch that finds an object corrupt or missing deletes
the corrupt object and the trees listing either from the remote, so the next push from a machine
that has them sends them again. Records going first also protects pushes from a concurrent
remote gc (it sees a version's record before any of its objects).

What the remote holds is learned by listing (:meth:`Remote.list_objects`) when many objects are
in question, and by a few existence checks when only a handful are. Every object
is committed atomically on arrival, so an interrupted transfer resumes by simply running again:
the rerun sends only what did not arrive. Partial failures (objects missing at the source,
corrupt ones) come back as data in :class:`TransferResult`; connection and access errors raise.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nbvc.core.artifacts import pointer
from nbvc.core.config import DEFAULT_CHUNK_MIN_SIZE
from nbvc.core.errors import CorruptObjectError, RemoteError, TransferError
from nbvc.core.progress import NULL, Reporter
from nbvc.core.remote import ledger, objects, plan, remote_config
from nbvc.core.remote import record_sync as records
from nbvc.core.remote.fs import Remote, open_remote, stored_oids
from nbvc.core.remote.objects import Outcome
from nbvc.core.remote.parallel import parallel_map
from nbvc.core.remote.plan import Want
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import BIG_FILE, short

if TYPE_CHECKING:
    from nbvc.core.artifacts.checkout import CheckoutResult

EXISTS_LIMIT = 64  # up to this many objects in question, ask about each instead of listing
SHOWN = 5


@dataclass
class TransferResult:
    remote: str
    direction: str  # "push" or "fetch"
    objects: int = 0  # objects moved
    bytes: int = 0
    records: int = 0  # records moved
    missing: list[Want] = field(default_factory=list)  # needed, but absent at the source
    corrupt: list[Want] = field(default_factory=list)  # at the source, but damaged
    rejected_records: list[str] = field(default_factory=list)
    repaired_remote: bool = False  # damaged objects were removed from the remote

    @property
    def ok(self) -> bool:
        return not (self.missing or self.corrupt or self.rejected_records)

    def problems(self) -> list[str]:
        """One sentence per kind of failure, each saying what to do next."""
        where = f"remote {self.remote!r}"
        out = []
        if self.missing and self.direction == "push":
            out.append(
                f"{_are(self.missing)} not in the local cache and were not pushed "
                f"({_examples(self.missing)}); fetch them from a remote that has them, "
                "or add the files again"
            )
        elif self.missing:
            out.append(
                f"{_are(self.missing)} not on {where} ({_examples(self.missing)}); "
                "push them from a machine that has them"
            )
        if self.corrupt and self.direction == "push":
            out.append(
                f"{_are(self.corrupt)} corrupt in the local cache, quarantined and not pushed "
                f"({_examples(self.corrupt)}); add the files again or fetch good copies"
            )
        elif self.corrupt:
            removed = "they were removed from the remote, so " if self.repaired_remote else ""
            out.append(
                f"{_are(self.corrupt)} corrupt on {where} (content does not match the hash) "
                f"and were not stored ({_examples(self.corrupt)}); {removed}`nbvc push --check` "
                "from a machine with a good copy replaces them"
            )
        if self.rejected_records:
            shown = ", ".join(self.rejected_records[:SHOWN])
            out.append(
                f"{len(self.rejected_records)} record(s) on {where} are not valid and were "
                f"skipped ({shown}); remove or replace them on the remote"
            )
        return out

    def check(self) -> None:
        """Raise a TransferError if anything failed to move."""
        if not self.ok:
            raise TransferError(f"{self.direction} incomplete: " + "; ".join(self.problems()))


@dataclass
class PullResult:
    fetch: TransferResult
    checkouts: list[CheckoutResult]
    skipped: list[str]  # artifacts not checked out because objects are still missing


# -- push ---------------------------------------------------------------------------------------
def push(
    repo: Repo,
    paths: Sequence[str] = (),
    remote_name: str | None = None,
    all_versions: bool = False,
    jobs: int | None = None,
    reporter: Reporter = NULL,
    check: bool = False,
    run_cache: bool = False,
) -> TransferResult:
    """Send the objects of ``paths`` (default: every tracked artifact) and all records; with
    ``run_cache``, the outputs of every run-cache entry too.

    Unless ``check``, a push covering exactly what the last complete push to this remote
    covered, a few minutes ago at most, reports it up to date without connecting (see
    :mod:`.ledger`).
    """
    config = remote_config.get(repo, remote_name)
    wanted = plan.roots(repo, paths, all_versions)
    if run_cache:
        known = {w.oid for w in wanted}
        wanted += [w for w in plan.run_cache_wants(repo) if w.oid not in known]
    local_records = ledger.fingerprint(records.local_keys(repo))
    roots = [w.oid for w in wanted]
    if not check and ledger.up_to_date(repo, config.url, local_records, roots):
        return TransferResult(config.name, "push")
    remote = open_remote(repo, remote_name, jobs)
    remote.check_writable()
    result = TransferResult(remote.name, "push")
    result.records = records.push(repo, remote).copied
    _push_objects(repo, remote, wanted, result, reporter)
    if result.ok:
        ledger.remember(repo, config.url, local_records, roots)
    return result


def push_objects(repo: Repo, wanted: list[Want], remote_name: str | None = None) -> TransferResult:
    """Send these objects (a tree with its files) and no records: an experiment's outputs."""
    remote = open_remote(repo, remote_name)
    remote.check_writable()
    result = TransferResult(remote.name, "push")
    _push_objects(repo, remote, wanted, result, NULL)
    return result


def fetch_objects(repo: Repo, wanted: list[Want], remote_name: str | None = None) -> TransferResult:
    """Receive these objects (a tree with its files) and no records: an experiment's inputs."""
    remote = open_remote(repo, remote_name)
    result = TransferResult(remote.name, "fetch")
    with repo.storing():
        _fetch_objects(repo, remote, wanted, result, NULL)
    return result


def _push_objects(
    repo: Repo, remote: Remote, wanted: list[Want], result: TransferResult, reporter: Reporter
) -> None:
    files, trees = _push_plan(repo, remote, wanted, result)
    files = absent_on_remote(remote, files)
    remote.make_dirs(["tmp", *sorted({f"objects/{w.oid[:2]}" for w in [*files, *trees]})])
    chunked = [w for w in files if repo.odb.is_chunked(w.oid)]
    whole = [w for w in files if w not in set(chunked)]
    failed = _move(repo, remote, whole, result, reporter)
    failed |= _move_chunked(repo, remote, chunked, result, reporter)
    complete = [t for t, tree_files in trees.items() if not tree_files & failed]
    _move(repo, remote, complete, result, NULL)
    if result.corrupt:
        repo.index.forget_complete()


def _push_plan(
    repo: Repo, remote: Remote, wanted: list[Want], result: TransferResult
) -> tuple[list[Want], dict[Want, set[str]]]:
    """The file objects to consider sending, and each tree the remote lacks with its files."""
    files = {w.oid: w for w in wanted if not w.is_tree}
    local_trees: list[Want] = []
    for want in wanted:
        if want.is_tree:
            (local_trees if repo.odb.exists(want.oid) else result.missing).append(want)
    on_remote = parallel_map(
        remote.jobs, lambda w: remote.exists(remote.object_path(w.oid)), local_trees
    )
    trees: dict[Want, set[str]] = {}
    for want, there in zip(local_trees, on_remote, strict=True):
        if there:
            continue
        try:
            tree = repo.workspace.load_tree(want.oid)
        except CorruptObjectError:
            result.corrupt.append(want)
            continue
        listed = plan.tree_wants(tree, want.artifact)
        for file_want in listed:
            files.setdefault(file_want.oid, file_want)
        trees[want] = {w.oid for w in listed}
    return list(files.values()), trees


def absent_on_remote(remote: Remote, wants: list[Want]) -> list[Want]:
    """The wants the remote has in neither form (whole, or as a chunk manifest)."""
    if len(wants) <= EXISTS_LIMIT:

        def there(want: Want) -> bool:
            if remote.exists(remote.object_path(want.oid)):
                return True
            return not want.is_tree and remote.exists(remote.manifest_path(want.oid))

        found = parallel_map(remote.jobs, there, wants)
        return [w for w, ok in zip(wants, found, strict=True) if not ok]
    present = stored_oids(remote.list_objects({w.oid[:2] for w in wants}))
    return [w for w in wants if w.oid not in present]


# -- fetch and pull -----------------------------------------------------------------------------
def fetch(
    repo: Repo,
    paths: Sequence[str] = (),
    remote_name: str | None = None,
    all_versions: bool = False,
    jobs: int | None = None,
    reporter: Reporter = NULL,
) -> TransferResult:
    """Receive all records, then the objects of ``paths`` (default: every tracked artifact)."""
    remote = open_remote(repo, remote_name, jobs)
    result = TransferResult(remote.name, "fetch")
    synced = records.fetch(repo, remote)
    result.records, result.rejected_records = synced.copied, synced.rejected
    wanted = plan.roots(repo, paths, all_versions)
    with repo.storing():  # a local gc waits until the fetched objects are in
        _fetch_objects(repo, remote, wanted, result, reporter)
    return result


def _fetch_objects(
    repo: Repo, remote: Remote, wanted: list[Want], result: TransferResult, reporter: Reporter
) -> None:
    trees = [w for w in wanted if w.is_tree]
    _move(repo, remote, [w for w in trees if not repo.odb.exists(w.oid)], result, NULL)
    files = {w.oid: w for w in wanted if not w.is_tree}
    listed_in: dict[str, list[str]] = {}  # file oid -> the trees listing it
    for want in trees:
        if not repo.odb.exists(want.oid) or repo.index.is_complete(want.oid):
            continue
        for file_want in plan.tree_wants(repo.workspace.load_tree(want.oid), want.artifact):
            files.setdefault(file_want.oid, file_want)
            listed_in.setdefault(file_want.oid, []).append(want.oid)
    with repo.pool() as pool:
        absent = set(repo.odb.missing(list(files), pool))
    todo = [w for w in files.values() if w.oid in absent]
    likely_chunked, small = _split_by_size(todo, _chunked_from(repo))
    failed = _move_chunked(repo, remote, likely_chunked, result, reporter, fallback=small)
    chunked_failed = set(failed)
    failed |= _move(repo, remote, small, result, reporter)
    if small_missing := [w for w in result.missing if w in set(small)]:  # chunked there after all?
        absent_too: list[Want] = []
        damaged = _move_chunked(repo, remote, small_missing, result, NULL, fallback=absent_too)
        found = {w.oid for w in small_missing} - {w.oid for w in absent_too}
        result.missing = [w for w in result.missing if w.oid not in found]
        failed = (failed - found) | damaged
        chunked_failed |= damaged
    incomplete = {tree for oid in failed for tree in listed_in.get(oid, ())}
    for want in trees:
        if want.oid not in incomplete and repo.odb.exists(want.oid):
            repo.index.mark_complete(want.oid)
    result.repaired_remote = _repair_remote(remote, result, incomplete, chunked_failed)
    if result.repaired_remote:
        ledger.forget(repo, remote.url)


def pull(
    repo: Repo,
    paths: Sequence[str] = (),
    remote_name: str | None = None,
    all_versions: bool = False,
    jobs: int | None = None,
    force: bool = False,
    reporter: Reporter = NULL,
) -> PullResult:
    """Fetch, then check out what the pointer files say (artifacts whose objects all arrived)."""
    fetched = fetch(repo, paths, remote_name, all_versions, jobs, reporter)
    artifacts = list(dict.fromkeys(repo.artifact(p) for p in paths)) if paths else repo.tracked()
    checkouts, skipped = [], []
    with repo.pool() as pool:
        for artifact in artifacts:
            recorded = pointer.read(repo.abspath(artifact))
            if recorded is None:
                continue
            if repo.workspace.has_all(recorded.oid, pool):
                checkouts.append(repo.checkout(repo.abspath(artifact), force, reporter))
            else:
                skipped.append(artifact)
    return PullResult(fetched, checkouts, skipped)


def _repair_remote(
    remote: Remote, result: TransferResult, incomplete: set[str], chunked: set[str]
) -> bool:
    """Restore the module's invariant on the remote after a fetch found damage: delete corrupt
    objects (for a chunked file, its manifest; its damaged chunks were marked bad) and the trees
    listing a missing or corrupt file, so that the next push from a machine that has them sends
    them again. Returns whether the remote was changed."""
    doomed = {w.oid for w in result.corrupt} | incomplete
    if not doomed or remote.read_only:
        return False
    paths = [
        remote.manifest_path(oid) if oid in chunked else remote.object_path(oid)
        for oid in sorted(doomed)
    ]
    with contextlib.suppress(RemoteError, FileNotFoundError):
        remote.remove(paths)
        return True
    return False


# -- moving objects -----------------------------------------------------------------------------
def _move(
    repo: Repo, remote: Remote, wants: list[Want], result: TransferResult, reporter: Reporter
) -> set[str]:
    """Upload (push) or download (fetch) ``wants`` in parallel; returns the oids that failed."""
    if not wants:
        return set()
    verb = "push to" if result.direction == "push" else "fetch from"
    files_task = reporter.task(f"{verb} {remote.name}", len(wants), unit="file")
    bytes_task = reporter.task(
        f"{verb} {remote.name}", sum(w.size or 0 for w in wants) or None, unit="B"
    )

    pushing = result.direction == "push"
    big = [w.oid for w in wants if (w.size or 0) >= BIG_FILE]
    trusted = repo.odb.known_intact(repo.index, big) if pushing else set()

    def move(want: Want) -> tuple[Outcome, int]:
        if pushing:
            outcome = objects.upload(repo.odb, remote, want.oid, want.oid in trusted)
        else:
            outcome = objects.download(repo.odb, remote, want.oid, want.size)
        files_task.advance()
        bytes_task.advance(outcome[1])
        return outcome

    try:
        outcomes = parallel_map(remote.jobs, move, wants, weight=lambda w: w.size or 0)
    finally:
        files_task.close()
        bytes_task.close()
    if result.direction == "fetch":  # verified on arrival: checkout need not hash them again
        big = [
            w.oid
            for w, (o, n) in zip(wants, outcomes, strict=True)
            if o is Outcome.SENT and n >= BIG_FILE
        ]
        repo.index.stat_store(repo.odb.stat_entries(big, time.time_ns()))
    failed = set()
    for want, (outcome, nbytes) in zip(wants, outcomes, strict=True):
        if outcome is Outcome.SENT:
            result.objects += 1
            result.bytes += nbytes
        elif outcome is Outcome.MISSING and want.optional:
            continue  # e.g. the source of a cell recorded after the last push: not an error
        else:
            (result.missing if outcome is Outcome.MISSING else result.corrupt).append(want)
            failed.add(want.oid)
    return failed


def _move_chunked(
    repo: Repo,
    remote: Remote,
    wants: list[Want],
    result: TransferResult,
    reporter: Reporter,
    fallback: list[Want] | None = None,
) -> set[str]:
    """Push or fetch chunked files; returns the oids that failed. A fetch appends the files
    the remote holds whole (no manifest there) to ``fallback`` instead of failing them."""
    if not wants:
        return set()
    from nbvc.core.remote import chunk_transfer  # only when chunked files move

    pushing = result.direction == "push"
    verb = "push to" if pushing else "fetch from"
    task = reporter.task(f"{verb} {remote.name}", sum(w.size or 0 for w in wants) or None, "B")
    try:
        if pushing:
            outcome = chunk_transfer.push_chunked(repo, remote, wants, task)
        else:
            outcome = chunk_transfer.fetch_chunked(repo, remote, wants, task)
    finally:
        task.close()
    result.objects += len(outcome.moved)
    result.bytes += outcome.bytes
    result.corrupt += outcome.corrupt
    if fallback is not None and not pushing:
        fallback += outcome.missing
        return {w.oid for w in outcome.corrupt}
    result.missing += outcome.missing
    return outcome.failed


def _split_by_size(wants: list[Want], threshold: int) -> tuple[list[Want], list[Want]]:
    """Wants likely stored as chunks (at least ``threshold`` bytes), and the rest."""
    big = [w for w in wants if (w.size or 0) >= threshold]
    return big, [w for w in wants if (w.size or 0) < threshold]


def _chunked_from(repo: Repo) -> int:
    """Files from this size on are looked for as chunks first when fetched."""
    return repo.odb.chunk_min_size or DEFAULT_CHUNK_MIN_SIZE


def _are(wants: list[Want]) -> str:
    return "1 object is" if len(wants) == 1 else f"{len(wants)} objects are"


def _examples(wants: list[Want]) -> str:
    shown = ", ".join(f"{w.artifact} {short(w.oid)}" for w in wants[:SHOWN])
    return shown + (f" and {len(wants) - SHOWN} more" if len(wants) > SHOWN else "")
