"""The abstract remote test suite (in the style of fsspec's abstract tests).

:class:`RemoteSuite` holds the behaviour every backend must show; each backend opts in with a
small subclass that provides a ``backend`` fixture (see ``test_remote_*.py``). Tests drive nbvc
through its CLI in-process (and as a subprocess where a process is killed), and inspect or damage
the remote directly through the backend's own fsspec filesystem.
"""

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
        self.fs.invalidate_cache()
        try:
            return sorted(self.fs.find(f"{self.root}/packs", detail=False))
        except FileNotFoundError:
            return []

    def tmp_files(self) -> list[str]:
        self.fs.invalidate_cache()
        try:
            return list(self.fs.find(f"{self.root}/tmp", detail=False))
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


class ChunkRanges:
    """Fetching a few chunks of a big remote pack reads their ranges, not the pack."""

    def test_a_few_chunks_of_a_pack_are_read_as_ranges(
        self, repo: Path, tmp_path: Path, backend: Backend
    ) -> None:
        chunk_small_files(repo)
        big = random.Random(10).randbytes(CKPT)
        (repo / "big.bin").write_bytes(big)
        (repo / "part.bin").write_bytes(big[: CKPT // 8])  # shares its chunks with big.bin
        assert nbvc(repo, "add", "big.bin").code == 0
        assert nbvc(repo, "add", "part.bin").code == 0
        commit(repo)
        assert push(repo).ok  # one pack of 3 MiB, and one with the last chunk of part.bin
        other = clone(repo, tmp_path / "clone")
        fetched = fetch(other, paths=[str(other / "part.bin")])
        assert fetched.ok and fetched.objects == 1, fetched
        assert fetched.bytes < CKPT // 4  # the part's ranges, not the 3 MiB pack
        assert nbvc(other, "checkout", str(other / "part.bin")).code == 0
        assert (other / "part.bin").read_bytes() == big[: CKPT // 8]
        with Repo.open(str(other)) as pulled:
            assert pulled.fsck().ok


# -- the suite ----------------------------------------------------------------------------------
class RemoteSuite(ChunkRanges):
    """Behaviour every remote backend must show. Subclasses provide the ``backend`` fixture."""

    @pytest.fixture
    def backend(self) -> Backend:
        raise NotImplementedError

    @pytest.fixture
    def repo(self, tmp_path: Path, backend: Backend) -> Path:
        path = make_repo(tmp_path / "repo", backend)
        write_dataset(path / "data", 30, seed=1)
        (path / "model.bin").write_bytes(random.Random(2).randbytes(5000))
        assert nbvc(path, "add", "data", "model.bin", "-m", "first").code == 0
        commit(path)
        return path

    def test_round_trip_is_byte_identical(
        self, repo: Path, tmp_path: Path, backend: Backend
    ) -> None:
        (repo / "big.bin").write_bytes(random.Random(3).randbytes(BIG))
        assert nbvc(repo, "add", "big.bin").code == 0
        commit(repo)
        pushed = nbvc(repo, "push", "-j", "4")
        assert pushed.code == 0, pushed.err
        assert f"pushed {object_count(repo)} objects" in pushed.out
        assert backend.objects() == local_objects(repo)
        other = clone(repo, tmp_path / "clone")
        pulled = nbvc(other, "pull")
        assert pulled.code == 0, pulled.err
        for name in ("data", "model.bin", "big.bin"):
            assert snapshot(other / name) == snapshot(repo / name)
        assert nbvc(other, "status", "--exit-code").code == 0

    def test_push_and_fetch_move_only_missing_objects(self, repo: Path, tmp_path: Path) -> None:
        first = push(repo)
        assert (first.objects, first.records) == (object_count(repo), 2)
        again = push(repo)
        assert (again.objects, again.records) == (0, 0)
        (repo / "data/d0/e0/f0.bin").write_bytes(b"changed")
        (repo / "data/new.txt").write_bytes(b"new")
        assert nbvc(repo, "add", "data", "-m", "second").code == 0
        commit(repo)
        second = push(repo)
        assert (second.objects, second.records) == (3, 1)  # two files and the folder manifest
        other = clone(repo, tmp_path / "clone")
        fetched = fetch(other)
        with Repo.open(str(repo)) as source:
            tree = source.workspace.load_tree(tree_oid(repo, "data"))
        expected = len({m.oid for m in tree.files.values()}) + 2  # + manifest + model.bin
        assert (fetched.objects, fetched.records) == (expected, 3)
        assert (fetch(other).objects, fetch(other).records) == (0, 0)
        (repo / "data/d1/e1/f1.bin").write_bytes(b"changed again")
        assert nbvc(repo, "add", "data", "-m", "third").code == 0
        commit(repo)
        assert push(repo).objects == 2
        git(other, "pull", "-q")
        assert fetch(other).objects == 2

    def test_corrupt_remote_object_is_detected_and_never_cached(
        self, repo: Path, tmp_path: Path, backend: Backend
    ) -> None:
        assert push(repo).ok
        victim = file_oid(repo, "data", "d1/e1/f1.bin")
        backend.put_object(victim, b"not what was pushed")
        other = clone(repo, tmp_path / "clone")
        pulled = nbvc(other, "pull")
        assert pulled.code == 1
        assert "corrupt" in pulled.err and victim[:8] in pulled.err and "data/" in pulled.err
        assert "data was not checked out" in pulled.err
        with Repo.open(str(other)) as clone_repo:
            assert not clone_repo.odb.exists(victim)
            assert os.listdir(clone_repo.odb.tmp_dir) == []
        # removed from the remote with its folder manifest, so a good copy can be pushed again
        assert victim not in backend.objects()
        assert nbvc(repo, "push", "--check").code == 0
        assert content_ok(backend, victim)
        again = nbvc(other, "pull")
        assert again.code == 0, again.err
        assert snapshot(other / "data") == snapshot(repo / "data")

    def test_missing_remote_object_is_reported_and_the_rest_pulled(
        self, repo: Path, tmp_path: Path, backend: Backend
    ) -> None:
        assert push(repo).ok
        with Repo.open(str(repo)) as source:
            model = source.history.versions("model.bin")[0].oid
        backend.fs.rm_file(backend.object_path(model))
        other = clone(repo, tmp_path / "clone")
        pulled = nbvc(other, "pull")
        assert pulled.code == 1
        assert "not on remote 'origin'" in pulled.err and "model.bin" in pulled.err
        assert snapshot(other / "data") == snapshot(repo / "data")
        assert not (other / "model.bin").exists()

    def test_file_missing_from_a_folder_is_sent_again_by_the_next_push(
        self, repo: Path, tmp_path: Path, backend: Backend
    ) -> None:
        assert push(repo).ok
        lost = file_oid(repo, "data", "d3/e0/f3.bin")
        backend.fs.rm_file(backend.object_path(lost))
        other = clone(repo, tmp_path / "clone")
        pulled = nbvc(other, "pull", "data")
        assert pulled.code == 1 and lost[:8] in pulled.err
        # the folder's manifest went too, so a push no longer takes the folder as complete
        assert tree_oid(repo, "data") not in backend.objects()
        assert push(repo, check=True).objects == 2  # the lost file and the manifest
        assert nbvc(other, "pull", "data").code == 0
        assert snapshot(other / "data") == snapshot(repo / "data")

    def test_failed_push_resumes_without_resending(self, repo: Path, backend: Backend) -> None:
        with failing_after(10), pytest.raises(RemoteError, match="injected"):
            push(repo, jobs=3)
        arrived = backend.objects()
        assert len(arrived) == 10
        assert tree_oid(repo, "data") not in arrived  # manifests go after all their files
        assert all(content_ok(backend, oid) for oid in arrived)
        resumed = push(repo)
        assert resumed.objects == object_count(repo) - 10
        assert backend.objects() == local_objects(repo)

    def test_upload_cut_mid_object_leaves_nothing_under_its_final_name(
        self, repo: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from nbvc.core.remote import local
        from nbvc.core.remote.fs import open_remote

        with Repo.open(str(repo)) as opened:
            remote = open_remote(opened)
        calls = 0

        def cut_after(original: Any, data_arg: int) -> Any:
            def cut(*args: Any, **kwargs: Any) -> None:
                nonlocal calls
                calls += 1
                if calls > 8:
                    if not backend.object_store:  # a filesystem can hold half a file
                        half = list(args)
                        half[data_arg] = half[data_arg][: len(half[data_arg]) // 2]
                        original(*half, **kwargs)
                    raise ConnectionResetError("injected: connection reset mid-upload")
                original(*args, **kwargs)

            return cut

        if isinstance(remote, local.LocalRemote):  # plain system calls, no fsspec
            monkeypatch.setattr(local, "write_all", cut_after(local.write_all, 1))
        else:  # fsspec hands the push this same (cached) instance
            monkeypatch.setattr(remote.fs, "pipe_file", cut_after(remote.fs.pipe_file, 1))
        with pytest.raises(RemoteError, match="could not be reached"):
            push(repo, jobs=1)
        monkeypatch.undo()
        arrived = backend.objects()
        assert 0 < len(arrived) < object_count(repo)
        assert all(content_ok(backend, oid) for oid in arrived)
        if isinstance(remote, local.LocalRemote):
            assert not backend.tmp_files()  # the half upload was removed, never published
        elif not backend.object_store:
            assert backend.tmp_files()  # the half upload stays in tmp/, never published
        assert push(repo).objects == object_count(repo) - len(arrived)
        assert all(content_ok(backend, oid) for oid in backend.objects())

    def test_killed_push_resumes(self, repo: Path, backend: Backend) -> None:
        if not backend.subprocess:
            pytest.skip("a memory:// remote lives inside one process")
        write_dataset(repo / "many", 600, seed=5, sizes=(100, 3000))
        assert nbvc(repo, "add", "many").code == 0
        total = object_count(repo)
        proc = spawn_nbvc(repo, "push", "-j", "1")
        try:
            assert wait_until(lambda: len(backend.objects()) >= 20, timeout=60)
        finally:
            kill(proc)
        time.sleep(0.3)  # let a server finish a request that was already on the wire
        arrived = backend.objects()
        assert len(arrived) < total, "the push finished before it could be killed"
        assert all(content_ok(backend, oid) for oid in arrived)
        resumed = push(repo)
        assert resumed.objects == total - len(arrived)
        assert backend.objects() == local_objects(repo)

    def test_history_and_records_visible_in_a_fresh_clone(self, repo: Path, tmp_path: Path) -> None:
        old = snapshot(repo / "data")
        (repo / "data/d2/e2/f2.bin").write_bytes(b"second version")
        assert nbvc(repo, "add", "data", "-m", "second").code == 0
        assert nbvc(repo, "tag", "data@v1", "baseline").code == 0
        with Repo.open(str(repo)) as source:
            run = source.records.write("runs", {"note": "a kind this module does not know"})
        commit(repo)
        assert nbvc(repo, "push").code == 0  # what the pointers name: v2
        other = clone(repo, tmp_path / "clone")
        assert nbvc(other, "pull").code == 0
        shown = nbvc(other, "log", "data")
        assert shown.code == 0
        lines = shown.out.splitlines()
        assert lines[1].startswith("v2") and "second" in lines[1]
        assert lines[2].startswith("v1") and "baseline" in lines[2] and "first" in lines[2]
        with Repo.open(str(other)) as pulled:
            assert pulled.records.ids("runs") == [run["id"]]
        missing = nbvc(other, "checkout", "data@v1")
        assert missing.code == 1 and "nbvc pull" in missing.err
        assert nbvc(other, "fetch", "--all-versions").code == 1  # v1 is not on the remote yet
        assert nbvc(repo, "push", "--all-versions").code == 0
        assert nbvc(other, "fetch", "--all-versions").code == 0
        assert nbvc(other, "checkout", "data@baseline").code == 0
        assert snapshot(other / "data") == old

    def test_cell_sources_travel_so_lineage_scripts_work_in_a_clone(
        self, repo: Path, tmp_path: Path
    ) -> None:
        from tests.lineage.kit import run_cell

        with Repo.open(str(repo)) as source:
            cell = run_cell(source, "open('made.txt', 'w').write('made by a cell')")
            source.add([str(repo / "made.txt")], producer=f"cell:{cell.id}")
        commit(repo)
        assert nbvc(repo, "push").code == 0
        other = clone(repo, tmp_path / "clone")
        assert nbvc(other, "pull").code == 0
        script = nbvc(other, "lineage", "--script", "made.txt")
        assert script.code == 0, script.err
        assert "open('made.txt', 'w').write('made by a cell')" in script.out

    def test_status_shows_what_is_missing_where(self, repo: Path, tmp_path: Path) -> None:
        before = nbvc(repo, "status", "--remote", "--exit-code")
        assert before.code == 1
        assert "of 33 objects missing (nbvc push)" in before.out
        assert "records: 2 to push, 0 to fetch" in before.out
        assert push(repo).ok
        after = nbvc(repo, "status", "--remote", "origin", "--exit-code")
        assert after.code == 0, after.out
        other = clone(repo, tmp_path / "clone")
        there = nbvc(other, "status", "--remote", "--json")
        assert there.code == 0
        assert '"missing_local": 33' in there.out and '"missing_remote": 0' in there.out

    def test_gc_remote_deletes_only_unreferenced_objects(
        self, repo: Path, tmp_path: Path, backend: Backend
    ) -> None:
        assert push(repo).ok
        v1_tree, v1_file = tree_oid(repo, "data"), file_oid(repo, "data", "d0/e0/f0.bin")
        (repo / "data/d0/e0/f0.bin").write_bytes(b"replaced")
        assert nbvc(repo, "add", "data", "-m", "second").code == 0
        commit(repo)
        assert push(repo).ok
        junk = blake3(b"junk").hexdigest()
        backend.put_object(junk, b"junk")
        dry = nbvc(repo, "gc", "--remote", "origin", "--dry-run")
        assert dry.code == 0 and "would remove 1 object" in dry.out
        assert junk in backend.objects()
        assert nbvc(repo, "gc", "--remote", "origin").code == 0
        assert backend.objects() == local_objects(repo)  # every version is still referenced
        assert nbvc(repo, "gc", "--keep-last", "1").code == 0  # prunes v1 here
        assert nbvc(repo, "gc", "--remote", "origin").code == 0
        assert {v1_tree, v1_file}.isdisjoint(backend.objects())
        other = clone(repo, tmp_path / "clone")
        assert nbvc(other, "pull").code == 0
        assert snapshot(other / "data") == snapshot(repo / "data")

    # -- chunked files --------------------------------------------------------------------------
    def test_a_new_version_of_a_chunked_file_sends_only_its_new_chunks(
        self, repo: Path, tmp_path: Path, backend: Backend
    ) -> None:
        chunk_small_files(repo)
        content = bytearray(random.Random(4).randbytes(CKPT))
        (repo / "ckpt.bin").write_bytes(content)
        assert nbvc(repo, "add", "ckpt.bin").code == 0
        first = push(repo)
        assert first.ok and first.bytes > CKPT
        assert push(repo, check=True).objects == 0  # the remote has it (as a chunk manifest)
        content[CKPT // 2 : CKPT // 2 + 30_000] = random.Random(5).randbytes(30_000)
        content[2000:2000] = random.Random(6).randbytes(1024)  # an insertion near the start
        (repo / "ckpt.bin").write_bytes(content)
        assert nbvc(repo, "add", "ckpt.bin").code == 0
        commit(repo)
        second = push(repo)
        assert second.ok and (second.objects, second.records) == (1, 1)
        assert second.bytes < CKPT // 10  # about the edited chunks, not the whole file
        assert backend.packs()  # the chunks travel in packs
        other = clone(repo, tmp_path / "clone")
        assert nbvc(other, "pull").code == 0
        assert snapshot(other / "ckpt.bin") == snapshot(repo / "ckpt.bin")
        assert nbvc(other, "fetch", "--all-versions").code == 0
        assert nbvc(other, "checkout", "ckpt.bin@v1").code == 0
        assert blake3((other / "ckpt.bin").read_bytes()).hexdigest() == tree_oid(
            other, "ckpt.bin", 1
        )
        with Repo.open(str(other)) as pulled:
            assert pulled.fsck().ok

    def test_a_remote_of_whole_objects_from_an_older_nbvc_keeps_working(
        self, repo: Path, tmp_path: Path, backend: Backend
    ) -> None:
        (repo / ".nbvc" / "config.local").write_text("[cache]\nchunk_min_size = 0\n")
        (repo / "ckpt.bin").write_bytes(random.Random(11).randbytes(CKPT))
        assert nbvc(repo, "add", "ckpt.bin").code == 0
        commit(repo)
        assert push(repo).ok  # whole objects, as before chunking existed
        assert not backend.packs()
        chunk_small_files(repo)
        assert nbvc(repo, "gc", "--rechunk").code == 0  # the cache here now holds chunks
        assert push(repo, check=True).objects == 0  # the remote's whole copy counts
        other = clone(repo, tmp_path / "clone")
        chunk_small_files(other)
        assert nbvc(other, "pull").code == 0
        assert snapshot(other / "ckpt.bin") == snapshot(repo / "ckpt.bin")

    def test_a_corrupt_chunk_on_the_remote_is_refused_on_pull_and_reported(
        self, repo: Path, tmp_path: Path, backend: Backend
    ) -> None:
        chunk_small_files(repo)
        (repo / "ckpt.bin").write_bytes(random.Random(7).randbytes(CKPT))
        assert nbvc(repo, "add", "ckpt.bin").code == 0
        commit(repo)
        assert push(repo).ok
        (pack,) = [p for p in backend.packs() if p.endswith(".pack")]
        data = bytearray(backend.fs.cat_file(pack))
        data[CKPT // 3 : CKPT // 3 + 7] = b"bit rot"
        backend.fs.pipe_file(pack, bytes(data))
        other = clone(repo, tmp_path / "clone")
        pulled = nbvc(other, "pull")
        assert pulled.code == 1
        assert "corrupt" in pulled.err and "ckpt.bin" in pulled.err
        assert not (other / "ckpt.bin").exists()  # nothing damaged reaches the workspace
        with Repo.open(str(other)) as clone_repo:
            oid = clone_repo.history.versions("ckpt.bin")[0].oid
            assert not clone_repo.odb.exists(oid)
            assert clone_repo.fsck().ok
        assert any(p.endswith(".bad") for p in backend.packs())  # marked on the remote
        assert (
            nbvc(repo, "push", "--check").code == 0
        )  # sends the damaged chunk again, in a new pack
        again = nbvc(other, "pull")
        assert again.code == 0, again.err
        assert snapshot(other / "ckpt.bin") == snapshot(repo / "ckpt.bin")

    def test_gc_remote_deletes_packs_no_version_needs(
        self, repo: Path, tmp_path: Path, backend: Backend
    ) -> None:
        chunk_small_files(repo)
        for seed in (8, 9):  # two versions that share nothing
            (repo / "ckpt.bin").write_bytes(random.Random(seed).randbytes(CKPT))
            assert nbvc(repo, "add", "ckpt.bin").code == 0
        commit(repo)
        assert nbvc(repo, "push", "--all-versions").code == 0
        packs = [p for p in backend.packs() if p.endswith(".pack")]
        assert len(packs) == 2
        assert nbvc(repo, "gc", "--keep-last", "1").code == 0
        swept = nbvc(repo, "gc", "--remote", "origin")
        assert swept.code == 0 and ", 1 pack;" in swept.out  # one engine plural
        assert len([p for p in backend.packs() if p.endswith(".pack")]) == 1
        other = clone(repo, tmp_path / "clone")
        assert nbvc(other, "pull").code == 0
        assert snapshot(other / "ckpt.bin") == snapshot(repo / "ckpt.bin")


CKPT = 3 << 20


def chunk_small_files(repo: Path) -> None:
    """Chunk files from 64 KiB on, so that a few MiB make many chunks."""
    (repo / ".nbvc" / "config.local").write_text("[cache]\nchunk_min_size = 65536\n")
