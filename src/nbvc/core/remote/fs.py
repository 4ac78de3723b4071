"""A remote as an fsspec filesystem plus a root path, and the few operations transfers need.

Layout under the root, like the local cache::

    objects/<oid[:2]>/<oid[2:]>      content-addressed objects (trees keep their .dir suffix)
    objects/<oid[:2]>/<oid[2:]>.chunks  the manifest of a file stored as chunks
    packs/<name>.pack, <name>.idx    chunks in packs and their indexes (see storage/packs.py)
    records/<kind>/<id>.json         immutable history, run and lineage records
    tmp/                             uploads in flight (filesystems with rename only)

Nothing is ever visible under its final name before it is complete: object stores (S3, GCS,
Azure, memory) publish an object atomically when its single PUT or multipart upload completes;
on filesystems (a local or network folder, SFTP) data goes to ``tmp/`` and is renamed into place.
Every backend error comes out as a :class:`RemoteError` that names the remote and says what to
check; connecting is bounded by timeouts so an unreachable server fails within seconds.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import posixpath
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nbvc.core.config import merge
from nbvc.core.errors import ConfigError, NbvcError, RemoteError
from nbvc.core.remote.parallel import parallel_map
from nbvc.core.remote.remote_config import RemoteConfig
from nbvc.core.remote.remote_config import get as get_config
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import CHUNKED_SUFFIX, is_tree_oid, is_valid_oid

# URL scheme -> (module that implements it, the nbvc extra that installs it)
BACKENDS: dict[str, tuple[str, str]] = {
    "s3": ("s3fs", "s3"),
    "s3a": ("s3fs", "s3"),
    "gs": ("gcsfs", "gs"),
    "gcs": ("gcsfs", "gs"),
    "az": ("adlfs", "azure"),
    "abfs": ("adlfs", "azure"),
    "abfss": ("adlfs", "azure"),
    "ssh": ("sshfs", "ssh"),
    "sftp": ("sshfs", "ssh"),
    "http": ("aiohttp", "http"),
    "https": ("aiohttp", "http"),
}
OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "memory"})
READ_ONLY = frozenset({"http", "https"})
LOCAL = frozenset({"file", "local"})
# Bounded connects and few retries, so that a wrong endpoint fails in seconds, not minutes.
DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "s3": {
        "config_kwargs": {"connect_timeout": 5, "retries": {"max_attempts": 3, "mode": "standard"}}
    },
    # known_hosts=() makes asyncssh check the server's key against ~/.ssh/known_hosts, as ssh
    # does (sshfs alone would accept any key)
    "ssh": {"timeout": 10, "known_hosts": ()},
}
DEFAULT_OPTIONS["s3a"] = DEFAULT_OPTIONS["s3"]
# s3fs asks for an object's size (one more request) before reading it whole, unless told to read
# it in one piece; measured: twice DVC's time for a pull of many small files without this.
READ_OPTIONS: dict[str, dict[str, Any]] = {p: {"max_concurrency": 1} for p in ("s3", "s3a")}
LIST_PAGE = 1000  # keys per listing request on object stores
DEFAULT_OPTIONS["sftp"] = DEFAULT_OPTIONS["ssh"]

_CREDENTIALS = {"NoCredentialsError", "PartialCredentialsError", "DefaultCredentialsError"}
_UNREACHABLE = {
    "ConnectionRefusedError",
    "ConnectionResetError",
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "TimeoutError",
    "FSTimeoutError",
    "gaierror",
    "ClientConnectorError",
    "ConnectionLost",
}
_DENIED = {"PermissionError", "PermissionDenied", "KeyImportError"}


@dataclass
class Remote:
    """An opened remote. Paths given to its methods are full paths inside ``fs``."""

    name: str
    url: str
    fs: Any  # fsspec.AbstractFileSystem (untyped)
    root: str
    jobs: int
    object_store: bool  # no real folders; a single PUT or completed multipart upload is atomic
    read_only: bool
    read_options: dict[str, Any] = field(default_factory=dict)  # for cat_file

    # -- addressing -------------------------------------------------------------------------
    def path(self, *parts: str) -> str:
        return posixpath.join(self.root, *parts)

    def object_path(self, oid: str) -> str:
        """Where object ``oid`` is stored whole (``oid`` may also be a stored name, such as
        ``<oid>.chunks`` for a chunk manifest)."""
        return self.path("objects", oid[:2], oid[2:])

    def manifest_path(self, oid: str) -> str:
        return self.object_path(oid) + CHUNKED_SUFFIX

    def pack_path(self, name: str, suffix: str) -> str:
        return self.path("packs", name + suffix)

    def record_path(self, kind: str, record_id: str) -> str:
        return self.path("records", kind, record_id + ".json")

    def relative(self, path: str) -> str:
        """``path`` relative to the root, as listings return full paths."""
        root: str = self.fs._strip_protocol(self.root).rstrip("/")
        stripped: str = self.fs._strip_protocol(path)
        return stripped[len(root) + 1 :] if root else stripped.lstrip("/")

    # -- errors -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def errors(self, action: str, path: str | None = None) -> Iterator[None]:
        """Turn any backend exception inside the block into a RemoteError saying what to do
        (``action`` and ``path`` name what was being done)."""
        try:
            yield
        except NbvcError:
            raise
        except Exception as exc:
            what = f"{action} {self.relative(path)}" if path is not None else action
            raise translate(self.name, self.url, what, exc) from exc

    # -- reading ----------------------------------------------------------------------------
    def list_files(self, folder: str) -> list[str]:
        """Paths, relative to the root, of every file below ``folder`` (none if it is absent)."""
        with self.errors(f"listing {folder}/"):
            try:
                found = self.fs.find(self.path(folder), detail=False)
            except FileNotFoundError:
                return []
        return [self.relative(path) for path in found]

    def list_objects(self, prefixes: Iterable[str]) -> set[str]:
        """The stored names on the remote that start with any of ``prefixes`` (two hex
        characters): an oid for a whole object, ``<oid>.chunks`` for a chunked file's manifest
        (:func:`stored_oids` turns them into oids).

        Folders (local, SFTP) are listed one prefix folder at a time, in parallel. On an object
        store one listing request returns up to 1,000 keys of any prefix, so the first prefix is
        listed to estimate the remote's size, and a small remote is then listed in one go
        instead of with a request per prefix.
        """
        wanted = sorted(set(prefixes))
        if self.object_store and len(wanted) > 1:
            first = self._list_prefix(wanted[0])
            pages = len(first) * 256 // LIST_PAGE + 1
            if pages <= -(-len(wanted) // self.jobs):
                wanted_set = set(wanted)
                return {oid for oid in self._list_all() if oid[:2] in wanted_set}
            listed = [first, *parallel_map(self.jobs, self._list_prefix, wanted[1:])]
        else:
            listed = parallel_map(self.jobs, self._list_prefix, wanted)
        return {oid for names in listed for oid in names}

    def _list_prefix(self, prefix: str) -> list[str]:
        with self.errors(f"listing objects/{prefix}/"):
            try:
                names = self.fs.ls(self.path("objects", prefix), detail=False)
            except FileNotFoundError:
                return []
        stored = (prefix + posixpath.basename(name.rstrip("/")) for name in names)
        return [name for name in stored if is_stored_name(name)]

    def _list_all(self) -> list[str]:
        stored = ("".join(rel.split("/")[-2:]) for rel in self.list_files("objects"))
        return [name for name in stored if is_stored_name(name)]

    def exists(self, path: str) -> bool:
        with self.errors("checking", path):
            try:
                self.fs.info(path)
            except FileNotFoundError:
                return False
        return True

    def read_bytes(self, path: str) -> bytes | None:
        """The file's bytes, or None if it is not there."""
        with self.errors("reading", path):
            try:
                data: bytes = self.fs.cat_file(path, **self.read_options)
            except FileNotFoundError:
                return None
        return data

    def read_range(self, path: str, start: int, end: int) -> bytes | None:
        """Bytes ``start`` to ``end`` (exclusive) of the file, or None if it is not there.

        Object stores answer a ranged request; on filesystems (SFTP) the file is opened and
        read from ``start``, since their ``cat_file`` may ignore the range.
        """
        with self.errors("reading", path):
            try:
                if self.object_store:
                    data: bytes = self.fs.cat_file(path, start=start, end=end, **self.read_options)
                    return data
                pieces: list[bytes] = []
                position = start
                with self.fs.open(path, "rb") as handle:
                    handle.seek(start)
                    while position < end:
                        piece: bytes = handle.read(end - position)
                        if not piece:
                            break
                        pieces.append(piece)
                        position += len(piece)
                return b"".join(pieces)
            except FileNotFoundError:
                return None

    def get_file(self, path: str, local_path: str) -> bool:
        """Download to ``local_path``; False if the remote file is not there."""
        with self.errors("downloading", path):
            try:
                self.fs.get_file(path, local_path)
            except FileNotFoundError:
                return False
        return True

    def stale_uploads(self, max_age_seconds: float) -> list[str]:
        """Temporary uploads older than ``max_age_seconds`` (left by interrupted pushes)."""
        if self.object_store:
            return []
        cutoff = datetime.now(UTC) - timedelta(seconds=max_age_seconds)
        with self.errors("listing tmp/"):
            try:
                paths = self.fs.ls(self.path("tmp"), detail=False)
            except FileNotFoundError:
                return []
            return [p for p in paths if _aware(self.fs.modified(p)) < cutoff]

    # -- writing ----------------------------------------------------------------------------
    def check_writable(self) -> None:
        if self.read_only:
            raise RemoteError(
                f"remote {self.name!r} ({self.url}) is read-only (HTTP); "
                "push to a folder, s3://, gs://, az:// or ssh:// remote instead"
            )

    def make_dirs(self, folders: list[str]) -> None:
        """Create folders (relative to the root) that uploads will rename into."""
        if self.object_store:
            return

        def make(folder: str) -> None:
            with self.errors("creating", self.path(folder)):
                self.fs.makedirs(self.path(folder), exist_ok=True)

        parallel_map(self.jobs, make, folders)

    def write_bytes(self, path: str, data: bytes) -> None:
        with self.errors("writing", path):
            if self.object_store:
                self.fs.pipe_file(path, data)
                return
            tmp = self._tmp_path()
            self.fs.pipe_file(tmp, data)
            self._rename(tmp, path)

    def put_file(self, local_path: str, path: str) -> None:
        with self.errors("uploading", path):
            if self.object_store:
                self.fs.put_file(local_path, path)
                return
            tmp = self._tmp_path()
            self.fs.put_file(local_path, tmp)
            self._rename(tmp, path)

    def remove(self, paths: list[str]) -> None:
        if paths:
            with self.errors("deleting files"):
                self.fs.rm(paths)

    def _tmp_path(self) -> str:
        return self.path("tmp", secrets.token_hex(12))

    def _rename(self, tmp: str, path: str) -> None:
        try:
            self.fs.mv(tmp, path)
        except FileNotFoundError:  # the destination folder is new
            self.fs.makedirs(posixpath.dirname(path), exist_ok=True)
            self.fs.mv(tmp, path)


def is_stored_name(name: str) -> bool:
    """An object's name in a remote listing: an oid, or an oid with the chunk-manifest suffix."""
    oid = name.removesuffix(CHUNKED_SUFFIX)
    return is_valid_oid(oid) and (oid == name or not is_tree_oid(oid))


def stored_oids(names: Iterable[str]) -> set[str]:
    """The oids that stored names (from :meth:`Remote.list_objects`) hold, in either form."""
    return {name.removesuffix(CHUNKED_SUFFIX) for name in names}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def open_remote(repo: Repo, name: str | None = None, jobs: int | None = None) -> Remote:
    """Open the remote called ``name`` (default: the default remote)."""
    cfg = get_config(repo, name)
    return connect(cfg, repo.root, jobs or cfg.jobs or repo.config.jobs or None)


def connect(cfg: RemoteConfig, base_dir: str, jobs: int | None = None) -> Remote:
    """Resolve ``cfg.url`` to a filesystem; relative folder paths are taken from ``base_dir``.

    Without ``jobs``, a local folder gets one transfer thread per CPU (more only contend for the
    same disk and directory locks: measured slower) and a network remote four per CPU, to hide
    round trips.
    """
    cpus = os.cpu_count() or 1
    protocol, _, rest = cfg.url.partition("://")
    if not rest:
        protocol, rest = "file", cfg.url
    protocol = protocol.lower()
    if protocol in LOCAL:
        from fsspec.implementations.local import LocalFileSystem

        from nbvc.core.remote.local import LocalRemote

        root = os.path.normpath(os.path.join(base_dir, os.path.expanduser(rest)))
        if os.path.exists(root) and not os.path.isdir(root):
            raise ConfigError(f"remote {cfg.name!r}: {root} is a file, not a folder")
        return LocalRemote(cfg.name, cfg.url, LocalFileSystem(), root, jobs or cpus, False, False)
    _require_backend(cfg, protocol)
    options = merge(DEFAULT_OPTIONS.get(protocol, {}), cfg.options)
    import fsspec

    try:
        with _connect_errors(cfg):
            fs, root = fsspec.core.url_to_fs(cfg.url, **options)
    except ValueError as exc:
        raise ConfigError(f"remote {cfg.name!r} has an unusable URL {cfg.url!r}: {exc}") from exc
    fs.invalidate_cache()  # instances are shared: forget listings cached by earlier operations
    return Remote(
        cfg.name,
        cfg.url,
        fs,
        root.rstrip("/") or root,
        jobs or min(32, 4 * cpus),
        protocol in OBJECT_STORES,
        protocol in READ_ONLY,
        READ_OPTIONS.get(protocol, {}),
    )


@contextlib.contextmanager
def _connect_errors(cfg: RemoteConfig) -> Iterator[None]:
    try:
        yield
    except (ValueError, NbvcError):
        raise
    except Exception as exc:
        raise translate(cfg.name, cfg.url, "connecting", exc) from exc


def _require_backend(cfg: RemoteConfig, protocol: str) -> None:
    import fsspec

    backend = BACKENDS.get(protocol)
    if backend is None:
        if protocol not in fsspec.available_protocols():
            raise ConfigError(
                f"remote {cfg.name!r}: {protocol}:// is not a known storage scheme; use a folder "
                "path or an s3://, gs://, az://, ssh://, sftp://, http(s):// or memory:// URL"
            )
        return
    module, extra = backend
    if importlib.util.find_spec(module) is None:
        raise RemoteError(
            f"remote {cfg.name!r} uses {protocol}://, which needs the {module} package; "
            f"install it with `pip install 'nbvc[{extra}]'`"
        )


def translate(name: str, url: str, action: str, exc: BaseException) -> RemoteError:
    """A RemoteError for a backend exception, with a hint chosen by the exception's type."""
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    where = f"remote {name!r} ({url})"
    if kinds & _CREDENTIALS:
        hint = (
            "no credentials were found; set the backend's environment variables (for S3: "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), or store them with "
            "`nbvc remote add --local NAME URL -o key=... -o secret=...`"
        )
    elif kinds & _UNREACHABLE:
        hint = (
            "the server could not be reached; check the URL (and endpoint_url), "
            "that the server is running and that the network allows it"
        )
    elif "HostKeyNotVerifiable" in kinds:
        hint = (
            "the server's host key could not be verified; connect once with `ssh` to add it to "
            "~/.ssh/known_hosts, or point -o known_hosts=FILE at a file that lists it"
        )
    elif kinds & _DENIED:
        hint = "access was denied; check the user name, key or credentials and the permissions"
    elif isinstance(exc, ImportError):
        hint = f"a backend package failed to import; reinstall the nbvc extra for {url}"
    elif isinstance(exc, FileNotFoundError):
        hint = "the bucket or folder does not exist; create it first"
    else:
        hint = "check the remote's URL and options with `nbvc remote list`"
    return RemoteError(f"{where}: {action} failed ({detail}); {hint}")
