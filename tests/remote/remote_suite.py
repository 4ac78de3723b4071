"""The abstract remote test suite (in the style of fsspec's abstract tests).

:class:`RemoteSuite` holds the behaviour every backend must show; each backend opts in with a
small subclass that provides a ``backend`` fixture (see ``test_remote_*.py``). Tests drive nbvc
through its CLI in-process (and as a subprocess where a process is killed), and inspect or damage
the remote directly through the backend's own fsspec filesystem.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

import pytest
from blake3 import blake3

from nbvc.core.errors import RemoteError
from nbvc.core.repo import Repo
from tests.remote.remote_kit import (
    BIG,
    CKPT,
    Backend,
    chunk_small_files,
    clone,
    commit,
    content_ok,
    failing_after,
    fetch,
    file_oid,
    git,
    kill,
    local_objects,
    make_repo,
    nbvc,
    object_count,
    push,
    snapshot,
    spawn_nbvc,
    tree_oid,
    wait_until,
    write_dataset,
)


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
