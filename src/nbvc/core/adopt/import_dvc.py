"""`nbvc import-dvc`: adopt what `.dvc` files track as nbvc versions.

For each out of each `.dvc` file: take its objects from DVC's cache (or, when missing there, from
a DVC remote), check every md5 (a folder's listing and each of its files), store them in nbvc's
cache and record a version (producer ``dvc:<file>.dvc``). A corrupt or missing object stops that
out, and only that out: nothing is recorded for it and nothing half-written stays behind.
Nothing in the DVC project changes: no pointer file, no `.gitignore` line, no object written to
DVC's cache; the md5 of each adopted file is remembered so DVC hashes need no re-reading.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from nbvc.core.adopt.dvc_files import TrackedOut, find_dvc_files, read_dvc_file
from nbvc.core.adopt.dvc_remotes import DvcRemote, open_dvc_remote
from nbvc.core.artifacts.add import version_author
from nbvc.core.errors import NbvcError
from nbvc.core.pipeline import dvc_config
from nbvc.core.pipeline.dvc_cache import DvcCache
from nbvc.core.pipeline.dvc_hash import file_md5, parse_listing, remember
from nbvc.core.progress import NULL, Reporter
from nbvc.core.repo import Repo
from nbvc.core.storage import fsutil
from nbvc.core.storage.hashing import TREE_SUFFIX
from nbvc.core.storage.odb import Staged
from nbvc.core.storage.tree import FileMeta, Tree


class AdoptError(NbvcError):
    """An object of a tracked out is missing everywhere or does not match its md5."""


@dataclass(frozen=True)
class Adopted:
    out: TrackedOut
    version: str | None  # "v3", or None when it failed
    created: bool = False
    error: str | None = None


@dataclass
class ImportResult:
    adopted: list[Adopted] = field(default_factory=list)

    @property
    def failed(self) -> list[Adopted]:
        return [a for a in self.adopted if a.error is not None]


def import_dvc(
    repo: Repo,
    paths: Sequence[str] = (),
    remote: str | None = None,
    reporter: Reporter = NULL,
) -> ImportResult:
    """Adopt the outs of the project's `.dvc` files (or of those named in ``paths``)."""
    root = dvc_config.find_dvc_root(repo.root)
    if root is None or root != repo.root:
        raise NbvcError(
            f"{repo.root} is not the root of a DVC project (no .dvc/ folder here); "
            "run nbvc init in the folder holding .dvc/"
        )
    files = [_dvc_file(repo.artifact(p)) for p in paths] if paths else find_dvc_files(root)
    cache = DvcCache(dvc_config.load(root).cache_dir())
    adopter = _Adopter(repo, cache, remote)
    result = ImportResult()
    task = reporter.task("adopting .dvc files", len(files))
    for dvc_file in files:
        for out in read_dvc_file(root, dvc_file):
            result.adopted.append(adopter.adopt(out))
        task.advance()
    task.close()
    return result


def _dvc_file(artifact: str) -> str:
    """``data.csv`` or ``data.csv.dvc``: the .dvc file either names."""
    return artifact if artifact.endswith(".dvc") else artifact + ".dvc"


@dataclass
class _Adopter:
    repo: Repo
    cache: DvcCache
    remote_name: str | None
    _remote: DvcRemote | None = None
    _remote_error: str | None = None  # why the remote could not be opened (tried once)

    def adopt(self, out: TrackedOut) -> Adopted:
        try:
            with self.repo.storing():
                oid, kind, size, nfiles = self._store(out)
            return self._record(out, oid, kind, size, nfiles)
        except AdoptError as exc:
            return Adopted(out, None, error=str(exc))

    def _store(self, out: TrackedOut) -> tuple[str, str, int, int]:
        md5 = out.hash.oid
        staged: list[Staged] = []
        try:
            if not md5.endswith(TREE_SUFFIX):
                staged.append(self._stage(out, md5))
                self._commit(out, staged, [md5])
                stored = staged[0].stored
                return stored.oid, "file", stored.size, 1
            listing_data = self._bytes(out, md5)
            try:
                entries = parse_listing(listing_data)
            except ValueError:
                raise AdoptError(f"{out.path}: DVC's listing {md5} is corrupt") from None
            for rel, file_md5_value in entries:
                staged.append(self._stage(out, file_md5_value, f"{out.path}/{rel}"))
        except BaseException:
            self.repo.odb.discard(staged)
            raise
        self._commit(out, staged, [m for _, m in entries])
        tree = Tree(
            {
                rel: FileMeta(item.stored.oid, item.stored.size, False)
                for (rel, _), item in zip(entries, staged, strict=True)
            }
        )
        self.repo.odb.add_bytes(tree.serialize(), suffix=TREE_SUFFIX)
        self.repo.index.mark_complete(tree.oid)
        return tree.oid, "dir", tree.size, tree.nfiles

    def _commit(self, out: TrackedOut, staged: list[Staged], md5s: list[str]) -> None:
        """Make the staged objects durable and visible (one sync for all of them)."""
        self.repo.odb.commit(staged)
        remember(
            self.repo,
            [
                (item.stored.oid, out.hash_name, md5, item.stored.size)
                for item, md5 in zip(staged, md5s, strict=True)
            ],
        )

    def _stage(self, out: TrackedOut, md5: str, shown: str | None = None) -> Staged:
        """Copy one verified file object into nbvc's store (not yet visible)."""
        path, temporary = self._local_copy(out, md5, shown or out.path)
        try:
            if file_md5(path, out.hash_name) != md5:
                where = "DVC's cache" if not temporary else f"DVC remote {self._remote_label()}"
                raise AdoptError(
                    f"{shown or out.path}: the object {md5} in {where} does not match its md5 "
                    "(corrupt); repair it with `dvc fetch` / `dvc pull` and import again"
                )
            return self.repo.odb.stage_file(path)
        finally:
            if temporary:
                fsutil.remove_file(path)

    def _local_copy(self, out: TrackedOut, md5: str, shown: str) -> tuple[str, bool]:
        cached = self.cache.path(md5, out.hash_name)
        if os.path.exists(cached):
            return cached, False
        remote = self._open_remote(shown)
        tmp = os.path.join(self.repo.odb.tmp_dir, f"dvc-{secrets.token_hex(8)}")
        if not remote.download(md5, tmp, out.hash_name):
            fsutil.remove_file(tmp)
            raise AdoptError(
                f"{shown}: object {md5} is neither in DVC's cache nor on DVC remote "
                f"{remote.name!r}; push it from a copy that has it (`dvc push`)"
            )
        return tmp, True

    def _bytes(self, out: TrackedOut, md5: str) -> bytes:
        path, temporary = self._local_copy(out, md5, out.path)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        finally:
            if temporary:
                fsutil.remove_file(path)
        if hashlib.md5(data, usedforsecurity=False).hexdigest() != md5.removesuffix(TREE_SUFFIX):
            raise AdoptError(
                f"{out.path}: DVC's listing {md5} does not match its md5 (corrupt); "
                "repair it with `dvc fetch` and import again"
            )
        return data

    def _open_remote(self, shown: str) -> DvcRemote:
        if self._remote is None and self._remote_error is None:
            try:
                self._remote = open_dvc_remote(self.repo.root, self.remote_name)
            except NbvcError as exc:
                self._remote_error = str(exc)
        if self._remote is None:
            raise AdoptError(f"{shown} is not in DVC's cache, and {self._remote_error}")
        return self._remote

    def _remote_label(self) -> str:
        return repr(self._remote.name) if self._remote else "?"

    def _record(self, out: TrackedOut, oid: str, kind: str, size: int, nfiles: int) -> Adopted:
        with self.repo.lock():
            history = self.repo.history
            latest = history.latest(out.path)
            if latest is not None and latest.oid == oid:
                return Adopted(out, latest.name, created=False)
            existing = history.by_oid(out.path, oid)
            if existing is not None:
                return Adopted(out, existing.name, created=False)
            version = history.record_version(
                out.path,
                oid,
                kind,
                size,
                nfiles,
                version_author(self.repo.root),
                f"adopted from {out.dvc_file}",
                f"dvc:{out.dvc_file}",
            )
        return Adopted(out, version.name, created=True)
