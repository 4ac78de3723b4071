"""`Repo`: the one API that the CLI, the notebook magics and the server call.

Artifact verbs (add, status, checkout, diff, tag, log, gc, fsck, push, fetch, pull) are methods;
everything else is a sub-facade per layer: ``repo.runs``, ``repo.metrics``, ``repo.pipeline``,
``repo.lineage`` and ``repo.remote``. Each is built on use, so opening a repo stays cheap.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nbvc.core import config as config_mod
from nbvc.core.artifacts.history import HISTORY_INDEXERS, History, Version
from nbvc.core.artifacts.paths import to_artifact
from nbvc.core.artifacts.workspace import Workspace
from nbvc.core.errors import NotARepoError, RepoExistsError
from nbvc.core.progress import NULL, Reporter
from nbvc.core.storage.fsutil import atomic_write_text
from nbvc.core.storage.index_db import Index, is_unwritable, open_index
from nbvc.core.storage.lock import repo_lock
from nbvc.core.storage.odb import ObjectStore
from nbvc.core.storage.pool import LazyPool
from nbvc.core.storage.record_index import Indexer, ensure_current
from nbvc.core.storage.record_store import RecordStore
from nbvc.core.storage.scratch import sweep

if TYPE_CHECKING:
    from nbvc.core.artifacts.add import AddResult
    from nbvc.core.artifacts.checkout import CheckoutResult
    from nbvc.core.artifacts.diff import DiffResult
    from nbvc.core.artifacts.status import ArtifactStatus
    from nbvc.core.experiments.experiments_api import Experiments
    from nbvc.core.lineage.lineage_api import Lineage
    from nbvc.core.maintenance.fsck import FsckResult
    from nbvc.core.maintenance.gc import GcResult
    from nbvc.core.maintenance.remote_gc import RemoteGcResult
    from nbvc.core.maintenance.usage import CacheUsage
    from nbvc.core.metrics.metrics_api import Metrics
    from nbvc.core.models.registry import Registry
    from nbvc.core.pipeline.pipeline_api import Pipeline
    from nbvc.core.pipeline.runcache import OutsFetcher
    from nbvc.core.remote.remote_api import Remotes
    from nbvc.core.remote.transfer import PullResult, TransferResult
    from nbvc.core.runs.runs_api import Runs

DOT = ".nbvc"
DOT_GITIGNORE = """\
# nbvc: the cache, the local index and local settings stay out of git
/cache/
/tmp/
/records/
/index.db*
/lock
/gc.lock
/config.local
"""


class Repo:
    """An nbvc repository: the folder holding `.nbvc/` and everything below it."""

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self.dot = os.path.join(self.root, DOT)
        if not os.path.isdir(self.dot):
            raise NotARepoError(f"{self.root} is not an nbvc repo; run `nbvc init` there first")
        self.config = config_mod.load(self.dot)
        cache = os.path.join(self.dot, "cache")
        tmp = os.path.join(self.dot, "tmp")
        with contextlib.suppress(OSError):  # a read-only repo has nothing to clean up
            os.makedirs(tmp, exist_ok=True)
            sweep(tmp)  # temp files of nbvc processes that were killed
        self.odb = ObjectStore(
            os.path.join(cache, "objects"),
            tmp,
            os.path.join(cache, "quarantine"),
            self.config.chunk_min_size,
        )
        self.records = RecordStore(os.path.join(self.dot, "records"))
        self._index: Index | None = None

    # -- finding and creating ---------------------------------------------------------------
    @classmethod
    def find(cls, start: str | None = None) -> Repo:
        """The repo containing ``start`` (default: the current folder)."""
        root = find_root(start or os.getcwd())
        if root is None:
            raise NotARepoError(
                f"{os.path.abspath(start or os.getcwd())} is not inside an nbvc repo "
                "(no .nbvc/ folder here or above); run `nbvc init` to create one"
            )
        return cls(root)

    @classmethod
    def open(cls, root: str) -> Repo:
        return cls(root)

    @classmethod
    def init(cls, path: str | None = None, nested: bool = False) -> tuple[Repo, bool]:
        """Create a repo at ``path``; returns ``(repo, created)``. Idempotent."""
        root = os.path.realpath(path or os.getcwd())
        if os.path.isdir(os.path.join(root, DOT)):
            return cls(root), False
        outer = find_root(os.path.dirname(root))
        if outer is not None and not nested:
            raise RepoExistsError(
                f"{root} is inside the nbvc repo at {outer}; use that repo, "
                "or run `nbvc init --nested` to create a separate repo here"
            )
        dot = os.path.join(root, DOT)
        os.makedirs(dot, exist_ok=True)
        atomic_write_text(os.path.join(dot, ".gitignore"), DOT_GITIGNORE)
        atomic_write_text(os.path.join(dot, "config"), config_mod.DEFAULT_CONFIG_TEXT)
        return cls(root), True

    # -- shared parts -----------------------------------------------------------------------
    @property
    def index(self) -> Index:
        """The index, brought up to date with the records when opened (see
        :mod:`.storage.record_index`). Where `.nbvc/index.db` cannot be written (a read-only
        repo, a full disk) the index is built in memory from the records instead."""
        if self._index is None:
            self._index = self._open_index()
        return self._index

    def indexers(self) -> list[Indexer]:
        """How each kind of record is indexed. A new kind of record adds its indexer here."""
        from nbvc.core.lineage.lineage_tables import INDEXER as LINEAGE_INDEXER
        from nbvc.core.runs.run_tables import EDITS_INDEXER as RUN_EDITS_INDEXER
        from nbvc.core.runs.run_tables import INDEXER as RUNS_INDEXER

        return [*HISTORY_INDEXERS, RUN_EDITS_INDEXER, RUNS_INDEXER, LINEAGE_INDEXER]

    def _open_index(self) -> Index:
        indexers = self.indexers()
        schemas = [ix.schema for ix in indexers if ix.schema]
        try:
            index = open_index(os.path.join(self.dot, "index.db"), schemas)
        except sqlite3.OperationalError as exc:
            if not is_unwritable(exc):
                raise
        except PermissionError:
            pass
        else:
            try:
                ensure_current(index, self.records, indexers)
                return index
            except sqlite3.OperationalError as exc:
                index.close()
                if not is_unwritable(exc):
                    raise
        index = Index(":memory:", schemas)
        ensure_current(index, self.records, indexers)
        return index

    @property
    def history(self) -> History:
        return History(self.records, self.index)

    @property
    def workspace(self) -> Workspace:
        return Workspace(self.root, self.odb, self.index)

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """Exclusive: hold it while writing history, pointers or the lock file."""
        return repo_lock(os.path.join(self.dot, "lock"))

    def storing(self) -> contextlib.AbstractContextManager[None]:
        """Shared with other writers of objects, exclusive against gc (see :mod:`.storage.lock`)."""
        return repo_lock(os.path.join(self.dot, "gc.lock"), timeout=3600, shared=True)

    def collecting(self) -> contextlib.AbstractContextManager[None]:
        """Exclusive against every operation inside :meth:`storing`; gc holds it."""
        return repo_lock(os.path.join(self.dot, "gc.lock"), timeout=3600)

    def pool(self) -> LazyPool:
        """Worker threads for one operation (``with repo.pool() as pool:``)."""
        return LazyPool(lambda: self.config.workers)

    @property
    def in_git(self) -> bool:
        """Whether the repo lies inside a git work tree."""
        from nbvc.core.storage import gitio

        return gitio.is_work_tree(self.root)

    def artifact(self, user_path: str) -> str:
        """The repo-relative name of a path the user typed (relative to the current folder)."""
        return to_artifact(self.root, user_path)

    def abspath(self, artifact: str) -> str:
        return os.path.join(self.root, artifact)

    def tracked(self) -> list[str]:
        """Every artifact that has a pointer file, sorted."""
        return sorted(self.workspace.pointers(set(self.history.artifacts())))

    def reindex(self, strict: bool = True) -> int:
        """Index records that arrived from elsewhere (e.g. a pull); returns how many.

        ``strict``: list every record folder, whatever the index remembers of them (gc does).
        """
        return ensure_current(self.index, self.records, self.indexers(), strict).added

    def reload_config(self) -> None:
        """Read ``.nbvc/config`` (and ``config.local``) again: another process may have changed
        it (`nbvc remote add` in a terminal, while a kernel keeps this repo open)."""
        self.config = config_mod.load(self.dot)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    def __enter__(self) -> Repo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sub-facades (one per layer; docs/architecture.md, "The engine API") ----------------
    @property
    def runs(self) -> Runs:
        """Runs: list, page, get by reference (``name@alias`` too), the ones still open."""
        from nbvc.core.models import registry  # noqa: F401 - registers name@alias run references
        from nbvc.core.runs.runs_api import Runs

        return Runs(self)

    @property
    def models(self) -> Registry:
        """The model registry: versions, aliases, loading by ``name@alias``."""
        from nbvc.core.models.registry import Registry

        return Registry(self)

    @property
    def metrics(self) -> Metrics:
        """Params and metrics of runs, the workspace or git revisions; diffs; plots."""
        from nbvc.core.adopt.dvc_remotes import fetcher
        from nbvc.core.metrics.metrics_api import Metrics

        return Metrics(self, fetcher(self.root))

    @property
    def pipeline(self) -> Pipeline:
        """The pipeline (`nbvc.yaml` or `dvc.yaml`): repro and what it would run."""
        from nbvc.core.pipeline.pipeline_api import Pipeline

        return Pipeline(self, _remote_outs_fetcher)

    @property
    def lineage(self) -> Lineage:
        """Which cells and stages made a version; recording what cells read and wrote."""
        from nbvc.core.lineage.lineage_api import Lineage

        return Lineage(self)

    @property
    def experiments(self) -> Experiments:
        """Sweeps of experiments: run (inline or on Dask), show, cancel, remove, apply a run."""
        from nbvc.core.experiments.experiments_api import Experiments

        return Experiments(self)

    @property
    def remote(self) -> Remotes:
        """The configured remotes and how the workspace compares with one."""
        from nbvc.core.remote.remote_api import Remotes

        return Remotes(self)

    # -- operations (one module of functions per verb) ----------------------------------------
    def add(
        self,
        paths: Sequence[str],
        message: str = "",
        tags: Sequence[str] = (),
        reporter: Reporter = NULL,
        producer: str | None = None,
        reuse: bool = False,
    ) -> list[AddResult]:
        """Version ``paths``. ``reuse``: content that an earlier version of the artifact has
        gets that version back instead of a new number (a run-cache restore)."""
        from nbvc.core.artifacts.add import add

        return add(self, paths, message, tags, reporter, producer, reuse)

    def status(self, paths: Sequence[str] = ()) -> list[ArtifactStatus]:
        from nbvc.core.artifacts.status import status

        return status(self, paths)

    def log(self, path: str) -> list[Version]:
        from nbvc.core.artifacts.refs import log

        return log(self, path)

    def checkout(self, spec: str, force: bool = False, reporter: Reporter = NULL) -> CheckoutResult:
        from nbvc.core.artifacts.checkout import checkout

        return checkout(self, spec, force, reporter)

    def diff(self, spec_a: str, spec_b: str | None = None) -> DiffResult:
        from nbvc.core.artifacts.diff import diff

        return diff(self, spec_a, spec_b)

    def tag(self, spec: str, name: str) -> Version:
        from nbvc.core.artifacts.refs import tag

        return tag(self, spec, name)

    def tagged(self, spec: str, name: str) -> Version | None:
        """The version of the artifact ``spec`` names that tag ``name`` points at, if any."""
        from nbvc.core.artifacts.refs import tagged

        return tagged(self, spec, name)

    def gc(
        self,
        dry_run: bool = False,
        keep_last: int | None = None,
        reporter: Reporter = NULL,
        rechunk: bool = False,
    ) -> GcResult:
        from nbvc.core.maintenance.gc import gc

        return gc(self, dry_run, keep_last, reporter, rechunk)

    def fsck(self, reporter: Reporter = NULL, remote: str | None = None) -> FsckResult:
        from nbvc.core.maintenance.fsck import fsck

        return fsck(self, reporter, remote)

    def du(self, paths: Sequence[str] = ()) -> CacheUsage:
        """Logical and stored size of each artifact's versions and of the cache (`nbvc du`)."""
        from nbvc.core.maintenance.usage import usage

        return usage(self, paths)

    def push(
        self,
        paths: Sequence[str] = (),
        remote: str | None = None,
        all_versions: bool = False,
        jobs: int | None = None,
        reporter: Reporter = NULL,
        check: bool = False,
        run_cache: bool = False,
    ) -> TransferResult:
        from nbvc.core.remote.transfer import push

        return push(self, paths, remote, all_versions, jobs, reporter, check, run_cache)

    def fetch(
        self,
        paths: Sequence[str] = (),
        remote: str | None = None,
        all_versions: bool = False,
        jobs: int | None = None,
        reporter: Reporter = NULL,
    ) -> TransferResult:
        from nbvc.core.remote.transfer import fetch

        return fetch(self, paths, remote, all_versions, jobs, reporter)

    def pull(
        self,
        paths: Sequence[str] = (),
        remote: str | None = None,
        all_versions: bool = False,
        jobs: int | None = None,
        force: bool = False,
        reporter: Reporter = NULL,
    ) -> PullResult:
        from nbvc.core.remote.transfer import pull

        return pull(self, paths, remote, all_versions, jobs, force, reporter)

    def gc_remote(
        self,
        remote: str | None = None,
        dry_run: bool = False,
        jobs: int | None = None,
        reporter: Reporter = NULL,
    ) -> RemoteGcResult:
        """Delete objects on a remote that nothing there or here needs any more."""
        from nbvc.core.maintenance.remote_gc import gc_remote

        return gc_remote(self, remote, dry_run, jobs, reporter)


def find_root(start: str) -> str | None:
    current = os.path.realpath(start)
    while True:
        if os.path.isdir(os.path.join(current, DOT)):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _remote_outs_fetcher(repo: Repo) -> OutsFetcher:
    """``repro --pull``'s fetcher; the remote layer is imported only when it is asked for."""
    from nbvc.core.remote.run_cache_fetch import outs_fetcher

    return outs_fetcher(repo)
