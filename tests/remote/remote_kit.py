"""The parts the remote tests share: a backend's handle, a repo with a remote, nbvc's CLI run
in-process, datasets and the transfer verbs through the engine."""

from __future__ import annotations

import contextlib
import io
import os
import random
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from blake3 import blake3

from nbvc.cli.main import main
from nbvc.core.errors import RemoteError
from nbvc.core.remote import objects
from nbvc.core.remote import remote_config as remotes
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import is_valid_oid

BIG = 9 << 20  # above nbvc.core.storage.hashing.BIG_FILE: exercises the streaming paths


@dataclass
class Backend:
    """A remote to test against: its URL and options, and direct access to what it stores."""

    url: str
    fs: Any  # the backend's fsspec filesystem
    root: str  # the remote's root inside ``fs``
    options: dict[str, Any] = field(default_factory=dict)
    object_store: bool = False
    subprocess: bool = True  # another process can reach it (not memory://)

    def object_path(self, oid: str) -> str:
        return f"{self.root}/objects/{oid[:2]}/{oid[2:]}"

    def put_object(self, oid: str, data: bytes) -> None:
        """Write straight into the remote (to damage it or plant junk)."""
        path = self.object_path(oid)
        if not self.object_store:
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        self.fs.pipe_file(path, data)

    def objects(self) -> set[str]:
        self.fs.invalidate_cache()
        try:
            paths = self.fs.find(f"{self.root}/objects", detail=False)
        except FileNotFoundError:
            return set()
        names = {"".join(p.rstrip("/").split("/")[-2:]) for p in paths}
        oids = {name.removesuffix(".chunks") for name in names}  # a chunked file: its manifest
        return {oid for oid in oids if is_valid_oid(oid)}

    def packs(self) -> list[str]:
        """Paths of everything in the remote's ``packs/`` folder."""
        return self._found("packs")

    def tmp_files(self) -> list[str]:
        return self._found("tmp")

    def _found(self, folder: str) -> list[str]:
        """Paths of everything under ``folder`` of the remote, sorted, as it is now."""
        self.fs.invalidate_cache()
        try:
            return sorted(self.fs.find(f"{self.root}/{folder}", detail=False))
        except FileNotFoundError:
            return []


# -- helpers ------------------------------------------------------------------------------------
@dataclass
class Run:
    code: int
    out: str
    err: str


def nbvc(cwd: Path, *args: str) -> Run:
    """Run the nbvc CLI in-process in ``cwd``."""
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["-q", *args])
    finally:
        os.chdir(old)
    return Run(code, out.getvalue(), err.getvalue())


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def write_dataset(
    folder: Path, count: int, seed: int, sizes: tuple[int, int] = (0, 40_000)
) -> None:
    rng = random.Random(seed)
    for i in range(count):
        path = folder / f"d{i % 4}" / f"e{i % 3}" / f"f{i}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(rng.randint(*sizes)))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "empty_dir").mkdir(exist_ok=True)
    script = folder / "run.sh"
    script.write_text("#!/bin/sh\necho hello\n")
    script.chmod(0o755)


def snapshot(path: Path) -> dict[str, tuple[bytes, bool]]:
    """Every file below ``path`` (or the file itself): content and executable bit."""
    if path.is_file():
        return {path.name: (path.read_bytes(), False)}
    found = {}
    for item in sorted(path.rglob("*")):
        if item.is_file():
            mode = item.stat().st_mode
            found[str(item.relative_to(path))] = (item.read_bytes(), bool(mode & stat.S_IXUSR))
        elif item.is_dir() and not any(item.iterdir()):
            found[str(item.relative_to(path)) + "/"] = (b"", False)
    return found


def make_repo(path: Path, backend: Backend) -> Path:
    """A git + nbvc repo at ``path`` whose default remote ``origin`` is ``backend``."""
    path.mkdir(parents=True)
    git(path, "init", "-q")
    assert nbvc(path, "init").code == 0
    with Repo.open(str(path)) as repo:
        remotes.add(repo, "origin", backend.url, backend.options, default=True)
    return path


def commit(path: Path) -> None:
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "save")


def clone(src: Path, dst: Path) -> Path:
    git(src.parent, "clone", "-q", str(src), str(dst))
    return dst


def object_count(repo_path: Path) -> int:
    with Repo.open(str(repo_path)) as repo:
        return sum(1 for _ in repo.odb.iter_oids())


def content_ok(backend: Backend, oid: str) -> bool:
    data = backend.fs.cat_file(backend.object_path(oid))
    return bool(blake3(data).hexdigest() == oid.removesuffix(".dir"))


@contextlib.contextmanager
def failing_after(uploads: int) -> Iterator[None]:
    """Make every object upload after the first ``uploads`` fail, as a dropped connection."""
    original = objects.upload
    done = 0
    lock = threading.Lock()

    def upload(*args: Any) -> Any:
        nonlocal done
        with lock:
            done += 1
            if done > uploads:
                raise RemoteError("injected failure: connection lost")
        return original(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(objects, "upload", upload)
        yield


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def spawn_nbvc(cwd: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "nbvc.cli.main", "-q", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def tree_oid(repo_path: Path, artifact: str, number: int | None = None) -> str:
    """The oid of the artifact's latest version (or of version ``number``)."""
    with Repo.open(str(repo_path)) as repo:
        versions = repo.history.versions(artifact)
    return versions[0].oid if number is None else versions[-number].oid


def file_oid(repo_path: Path, artifact: str, rel: str) -> str:
    with Repo.open(str(repo_path)) as repo:
        return repo.workspace.load_tree(tree_oid(repo_path, artifact)).files[rel].oid


def local_objects(repo_path: Path) -> set[str]:
    with Repo.open(str(repo_path)) as repo:
        return set(repo.odb.iter_oids())


def push(repo_path: Path, **kwargs: Any) -> Any:
    with Repo.open(str(repo_path)) as repo:
        return repo.push(**kwargs)


def fetch(repo_path: Path, **kwargs: Any) -> Any:
    with Repo.open(str(repo_path)) as repo:
        return repo.fetch(**kwargs)


CKPT = 3 << 20


def chunk_small_files(repo: Path) -> None:
    """Chunk files from 64 KiB on, so that a few MiB make many chunks."""
    (repo / ".nbvc" / "config.local").write_text("[cache]\nchunk_min_size = 65536\n")
