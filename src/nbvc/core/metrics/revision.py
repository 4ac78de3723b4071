"""Files of the project at a git revision, cached outputs included.

git has the files it tracks. An output of a pipeline stage is not in git: the revision's lock
says which content it had (`nbvc.lock`: a BLAKE3 oid in nbvc's cache; `dvc.lock`: an md5, found
in DVC's cache, in nbvc's cache when nbvc has seen that content, or fetched on demand from a DVC
remote by ``fetch``). Folders are listed from git and from the lock's folder listings.
"""

from __future__ import annotations

import hashlib
import posixpath
import subprocess
from collections.abc import Callable
from typing import Any

from nbvc.core.errors import NbvcError
from nbvc.core.pipeline import dvc_config, lockfile
from nbvc.core.pipeline.dvc_cache import DvcCache
from nbvc.core.pipeline.dvc_hash import LEGACY, MD5, oid_of_md5
from nbvc.core.pipeline.dvc_lock import entry_hash, parse_raw
from nbvc.core.repo import Repo
from nbvc.core.storage import gitio
from nbvc.core.storage.hashing import TREE_SUFFIX

Fetch = Callable[[str, str], bytes | None]  # (md5, hash name) -> object bytes from a DVC remote


class RevisionReader:
    """Read files of ``commit``; ``fetch`` asks a DVC remote for objects missing locally."""

    def __init__(self, repo: Repo, commit: str, fetch: Fetch | None = None) -> None:
        self.repo = repo
        self.commit = commit
        self.fetch = fetch
        self._nbvc_outs: dict[str, lockfile.Hash] | None = None
        self._dvc_outs: dict[str, tuple[lockfile.Hash, str]] | None = None
        self._git_files: list[str] | None = None
        self.cache = DvcCache(dvc_config.load(repo.root).cache_dir())

    # -- reading ----------------------------------------------------------------------------
    def read_text(self, relpath: str) -> str | None:
        data = self.read_bytes(relpath)
        return None if data is None else data.decode("utf-8", "replace")

    def read_bytes(self, relpath: str) -> bytes | None:
        data = gitio.show(self.repo.root, self.commit, relpath)
        if data is not None:
            return data
        found = self._nbvc_out(relpath)
        if found is not None:
            return found
        return self._dvc_out(relpath)

    def files_under(self, folder: str) -> list[str]:
        """Every file inside ``folder`` at the revision (git's and the locks' outputs)."""
        prefix = folder.rstrip("/") + "/" if folder else ""
        found = [f for f in self._git_tree() if f.startswith(prefix)]
        for out, (found_hash, name) in self._dvc_lock().items():
            if not found_hash.oid.endswith(TREE_SUFFIX):
                if out.startswith(prefix):
                    found.append(out)
            elif (out + "/").startswith(prefix) or prefix.startswith(out + "/"):
                entries = self._dvc_listing(found_hash.oid, name) or []
                found += [f"{out}/{rel}" for rel, _ in entries if f"{out}/{rel}".startswith(prefix)]
        for out, nbvc_hash in self._nbvc_lock().items():
            if out.startswith(prefix) and nbvc_hash.nfiles == 1:
                found.append(out)
        return sorted(set(found))

    # -- nbvc.lock --------------------------------------------------------------------------
    def _nbvc_lock(self) -> dict[str, lockfile.Hash]:
        if self._nbvc_outs is None:
            self._nbvc_outs = {}
            raw = gitio.show(self.repo.root, self.commit, "nbvc.lock")
            if raw is not None:
                for entry in lockfile.parse(raw.decode("utf-8", "replace"), "nbvc.lock").values():
                    self._nbvc_outs.update(entry.outs)
        return self._nbvc_outs

    def _nbvc_out(self, relpath: str) -> bytes | None:
        found = self._nbvc_lock().get(relpath)
        if found is None or found.nfiles != 1 or not self.repo.odb.exists(found.oid):
            return None
        return self.repo.odb.read_bytes(found.oid)

    # -- dvc.lock ---------------------------------------------------------------------------
    def _dvc_lock(self) -> dict[str, tuple[lockfile.Hash, str]]:
        """Repo-relative out path -> (md5 hash, hash name) at the revision."""
        if self._dvc_outs is None:
            self._dvc_outs = {}
            raw = gitio.show(self.repo.root, self.commit, "dvc.lock")
            if raw is not None:
                try:
                    stages = parse_raw(raw.decode("utf-8", "replace"))
                except NbvcError:
                    stages = {}
                wdirs = self._wdirs()
                for name, entry in stages.items():
                    wdir = wdirs.get(name, "")
                    for item in entry.get("outs") or ():
                        self._add_dvc_out(wdir, item)
        return self._dvc_outs

    def _add_dvc_out(self, wdir: str, item: Any) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            return
        parsed = entry_hash(item)
        if parsed is not None and self._dvc_outs is not None:
            path = posixpath.normpath(posixpath.join(wdir or ".", item["path"]))
            self._dvc_outs[path] = parsed

    def _wdirs(self) -> dict[str, str]:
        """Each stage's wdir in the revision's dvc.yaml (paths in dvc.lock are relative to it)."""
        from nbvc.core.formats.yamlio import loads_plain

        raw = gitio.show(self.repo.root, self.commit, "dvc.yaml")
        try:
            doc = loads_plain(raw.decode("utf-8", "replace"), "dvc.yaml") if raw else None
        except Exception:  # an unreadable pipeline file: paths stay as written
            return {}
        stages = doc.get("stages") if isinstance(doc, dict) else None
        if not isinstance(stages, dict):
            return {}
        return {
            str(n): str(b.get("wdir") or "")
            for n, b in stages.items()
            if isinstance(b, dict) and isinstance(b.get("wdir"), str)
        }

    def _dvc_out(self, relpath: str) -> bytes | None:
        outs = self._dvc_lock()
        if relpath in outs:
            found, name = outs[relpath]
            return None if found.oid.endswith(TREE_SUFFIX) else self._dvc_object(found.oid, name)
        for out, (found, name) in outs.items():
            if found.oid.endswith(TREE_SUFFIX) and relpath.startswith(out + "/"):
                rel = relpath[len(out) + 1 :]
                entries = dict(self._dvc_listing(found.oid, name) or [])
                if rel in entries:
                    return self._dvc_object(entries[rel], name)
        return None

    def _dvc_listing(self, md5: str, name: str) -> list[tuple[str, str]] | None:
        from nbvc.core.pipeline.dvc_hash import parse_listing

        data = self._dvc_object(md5, name)
        if data is None:
            return None
        try:
            return parse_listing(data)
        except ValueError:
            return None

    def _dvc_object(self, md5: str, name: str) -> bytes | None:
        """An object by md5: DVC's cache, nbvc's cache, or the DVC remote; checked."""
        data = self.cache.read_bytes(md5, name)
        if data is None and name == MD5 and not md5.endswith(TREE_SUFFIX):
            oid = oid_of_md5(self.repo, md5, name)
            if oid is not None and self.repo.odb.exists(oid):
                data = self.repo.odb.read_bytes(oid)
        if data is None and self.fetch is not None:
            data = self.fetch(md5, name)
        if data is None or not _matches(data, md5, name):
            return None
        return data

    def _git_tree(self) -> list[str]:
        if self._git_files is None:
            result = subprocess.run(
                ["git", "ls-tree", "-r", "--name-only", "-z", self.commit],
                cwd=self.repo.root,
                capture_output=True,
                check=False,
            )
            names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
            self._git_files = [n for n in names if n] if result.returncode == 0 else []
        return self._git_files


def _matches(data: bytes, md5: str, name: str) -> bool:
    if name == LEGACY:
        return True  # text normalisation per chunk: checked where the object is adopted
    return hashlib.md5(data, usedforsecurity=False).hexdigest() == md5.removesuffix(TREE_SUFFIX)
