"""DVC's content hashes: md5 of a file, and of a folder's listing (``<md5>.dir``).

DVC 3 hashes a file with plain md5 (``hash: md5`` in its lock and `.dvc` files); DVC 2 entries
(no ``hash:`` field) use ``md5-dos2unix``, which turns CRLF into LF in chunks that look like text.
A folder's hash is the md5 of its listing, ``json.dumps(sorted([{"md5", "relpath"}]),
sort_keys=True)``, plus ``.dir``; the same bytes are the ``.dir`` object in DVC's cache.

:class:`DvcHasher` answers from nbvc's own stat caches: a file's BLAKE3 oid (known without reading
it when its stat is unchanged) maps to its md5, and a folder's tree oid to its DVC hash, in a
table of `.nbvc/index.db`. Only content nbvc has never seen is read again.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple, TypeGuard

from nbvc.core.pipeline.dvc_ignore import IGNORE_FILE, DvcIgnore
from nbvc.core.pipeline.lockfile import Hash
from nbvc.core.pipeline.stage import Hasher
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import TREE_SUFFIX
from nbvc.core.storage.pool import Pool
from nbvc.core.storage.tree import Tree

MD5, LEGACY = "md5", "md5-dos2unix"
CHUNK = 1 << 20
BATCH = 64  # files per task on the pool: one future per file costs more than small files
TEXT_BLOCK = 512
_TEXT_CHARS = bytes(range(32, 127)) + b"\n\r\t\f\b"
_MD5 = re.compile(r"[0-9a-f]{32}")

TABLE = """
CREATE TABLE IF NOT EXISTS dvc_md5 (
    oid TEXT NOT NULL, name TEXT NOT NULL, md5 TEXT NOT NULL, size INTEGER NOT NULL,
    nfiles INTEGER NOT NULL, PRIMARY KEY (oid, name)
);
CREATE INDEX IF NOT EXISTS dvc_md5_by_md5 ON dvc_md5(md5);
"""


def is_text(block: bytes) -> bool:
    """DVC's guess (from a chunk's first 512 bytes) that a chunk is text."""
    if not block:
        return True
    if b"\x00" in block:
        return False
    return len(block.translate(None, _TEXT_CHARS)) / len(block) <= 0.30


def file_md5(path: str, name: str = MD5) -> str:
    """The md5 DVC gives the file at ``path`` (``name``: md5 or md5-dos2unix)."""
    hasher = hashlib.md5(usedforsecurity=False)
    with open(path, "rb", buffering=0) as handle:
        while chunk := handle.read(CHUNK):
            if name == LEGACY and is_text(chunk[:TEXT_BLOCK]):
                chunk = chunk.replace(b"\r\n", b"\n")
            hasher.update(chunk)
    return hasher.hexdigest()


def listing_bytes(entries: Iterable[tuple[str, str]]) -> bytes:
    """A folder's listing as DVC writes it: ``entries`` are (relative path, md5)."""
    rows = sorted(
        ({"md5": md5, "relpath": rel} for rel, md5 in entries), key=lambda r: r["relpath"]
    )
    return json.dumps(rows, sort_keys=True).encode("utf-8")


def dir_md5(listing: bytes) -> str:
    return hashlib.md5(listing, usedforsecurity=False).hexdigest() + TREE_SUFFIX


def is_md5(value: object, folder: bool = False) -> TypeGuard[str]:
    """A DVC hash as it must look (so it can never name a path outside a cache)."""
    if not isinstance(value, str):
        return False
    digest = value.removesuffix(TREE_SUFFIX) if folder else value
    return _MD5.fullmatch(digest) is not None


def parse_listing(data: bytes) -> list[tuple[str, str]]:
    """``(relpath, md5)`` of a ``.dir`` object; ValueError if it is not a listing (or names a
    path that leaves the folder)."""
    rows = json.loads(data)
    if not isinstance(rows, list) or not all(
        isinstance(r, dict) and _is_inner(r.get("relpath")) and is_md5(r.get("md5")) for r in rows
    ):
        raise ValueError("not a DVC folder listing")
    return [(r["relpath"], r["md5"]) for r in rows]


def _is_inner(relpath: object) -> bool:
    if not isinstance(relpath, str) or not relpath or relpath.startswith("/"):
        return False
    return not any(part in ("", ".", "..") for part in relpath.split("/"))


def ensure_table(repo: Repo) -> None:
    repo.index.db.executescript(TABLE)


def oid_of_md5(repo: Repo, md5: str, name: str = MD5) -> str | None:
    """The nbvc oid of content whose DVC md5 is ``md5``, if nbvc has seen it."""
    ensure_table(repo)
    row = repo.index.execute(
        "SELECT oid FROM dvc_md5 WHERE md5 = ? AND name = ? AND oid NOT LIKE '%:%'", (md5, name)
    ).fetchone()
    return str(row[0]) if row else None


def remember(repo: Repo, rows: Iterable[tuple[str, str, str, int]]) -> None:
    """Record that nbvc oid has md5 (``rows``: oid, name, md5, size), e.g. after adopting."""
    ensure_table(repo)
    with repo.index.transaction() as db:
        db.executemany(
            "INSERT OR REPLACE INTO dvc_md5 VALUES (?, ?, ?, ?, 1)",
            [(oid, name, md5, size) for oid, name, md5, size in rows],
        )


class Listing(NamedTuple):
    """A folder as DVC sees it: its files (relative path -> md5, size) and its hash."""

    files: dict[str, tuple[str, int]]
    hash: Hash

    def data(self) -> bytes:
        return listing_bytes((rel, md5) for rel, (md5, _) in self.files.items())


class DvcHasher:
    """DVC hashes of workspace paths, through nbvc's stat caches and an oid -> md5 table."""

    def __init__(self, repo: Repo, hasher: Hasher, pool: Pool) -> None:
        self.repo = repo
        self.hasher = hasher
        self.pool = pool
        self._known: dict[tuple[str, str], Hash | None] = {}
        self._rules: dict[str, DvcIgnore] = {}
        ensure_table(repo)

    def hash(self, path: str, name: str = MD5) -> Hash | None:
        """The DVC hash of repo-relative ``path`` now (``Hash.oid`` is the md5), or None."""
        key = (path, name)
        if key not in self._known:
            self._known[key] = self._hash(path, name)
        return self._known[key]

    def forget(self, paths: Iterable[str]) -> None:
        changed = list(paths)
        self.hasher.forget(changed)
        for key in list(self._known):
            if any(
                key[0] == p or key[0].startswith(p + "/") or p.startswith(key[0] + "/")
                for p in changed
            ):
                del self._known[key]

    def _hash(self, path: str, name: str) -> Hash | None:
        if not os.path.isdir(self.repo.abspath(path)):
            current = self.hasher.hash(path)
            if current is None:
                return None
            return Hash(self._file_md5s({current.oid: path}, name)[current.oid], current.size, 1)
        # a folder: its tree oid from the stat caches (no tree built when nothing changed)
        snapshot = self.repo.workspace.snapshot(path, self.pool, need_tree=False)
        if snapshot is None:
            return None
        key = f"{snapshot.oid}:{self._outer_rules(path).digest}"
        known = self._lookup([key], name).get(key)
        if known is not None:
            return known
        tree = snapshot.tree
        if tree is None:  # known from the stat cache, but its DVC hash is not: build the tree
            full = self.repo.workspace.snapshot(path, self.pool)
            tree = full.tree if full is not None else None
        if tree is None:
            return None
        listing = self._listing_of(path, tree, name)
        self._store([(key, name, listing.hash)])
        return listing.hash

    def listing(self, path: str, name: str = MD5) -> Listing | None:
        """The folder at ``path`` as DVC lists it (after its ignore rules)."""
        snapshot = self.repo.workspace.snapshot(path, self.pool)
        if snapshot is None or snapshot.tree is None:
            return None
        return self._listing_of(path, snapshot.tree, name)

    def _listing_of(self, path: str, tree: Tree, name: str) -> Listing:
        files = tree.files
        inner = {
            rel: self._read_text(f"{path}/{rel}") or ""
            for rel in files
            if rel.rsplit("/", 1)[-1] == IGNORE_FILE
        }
        kept = self._outer_rules(path).with_inner(path, inner).keep(path, files)
        md5s = self._file_md5s({files[rel].oid: f"{path}/{rel}" for rel in kept}, name)
        entries = {rel: (md5s[files[rel].oid], files[rel].size) for rel in sorted(kept)}
        listing = Listing(entries, Hash("", 0, 0))
        size = sum(size for _, size in entries.values())
        return listing._replace(hash=Hash(dir_md5(listing.data()), size, len(entries)))

    def _outer_rules(self, path: str) -> DvcIgnore:
        """The rules of `.dvcignore` files above ``path`` (those inside are part of its tree)."""
        folder = posixpath.dirname(path)
        if folder not in self._rules:
            self._rules[folder] = DvcIgnore.for_folder(folder, self._read_text)
        return self._rules[folder]

    def _read_text(self, relpath: str) -> str | None:
        try:
            with open(self.repo.abspath(relpath), encoding="utf-8") as handle:
                return handle.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def _file_md5s(self, paths: dict[str, str], name: str) -> dict[str, str]:
        """oid -> md5 for files (``paths``: oid -> repo-relative path), reading only misses."""
        known = {oid: h.oid for oid, h in self._lookup(list(paths), name).items()}
        misses = [oid for oid in paths if oid not in known]
        if misses:
            batches = [misses[i : i + BATCH] for i in range(0, len(misses), BATCH)]

            def hash_batch(batch: list[str]) -> list[str]:
                return [file_md5(self.repo.abspath(paths[oid]), name) for oid in batch]

            computed = [md5 for done in self.pool.map(hash_batch, batches) for md5 in done]
            known.update(zip(misses, computed, strict=True))
            self._store(
                [(oid, name, Hash(md5, 0, 1)) for oid, md5 in zip(misses, computed, strict=True)]
            )
        return known

    def _lookup(self, oids: Sequence[str], name: str) -> dict[str, Hash]:
        found: dict[str, Hash] = {}
        for start in range(0, len(oids), 500):
            batch = oids[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self.repo.index.execute(
                f"SELECT oid, md5, size, nfiles FROM dvc_md5 WHERE name = ? AND oid IN ({marks})",
                (name, *batch),
            )
            found.update({row[0]: Hash(row[1], row[2], row[3]) for row in rows})
        return found

    def _store(self, rows: list[tuple[str, str, Hash]]) -> None:
        with self.repo.index.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO dvc_md5 VALUES (?, ?, ?, ?, ?)",
                [(oid, name, h.oid, h.size, h.nfiles) for oid, name, h in rows],
            )

    def md5_of_oid(self, oid: str, name: str = MD5) -> str | None:
        """The md5 of content nbvc knows by ``oid``, if it was ever computed."""
        found = self._lookup([oid], name).get(oid)
        return found.oid if found is not None else None
