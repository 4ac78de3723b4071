from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from blake3 import blake3

from nbvc.core.artifacts import build
from nbvc.core.errors import OverlapError, PathError
from nbvc.core.repo import Repo
from nbvc.core.storage import fsutil, odb
from nbvc.core.storage.hashing import hash_path
from tests.helpers import file_oids, make_tree, pointer_of, write


def age(*paths: Path, seconds: float = 10) -> None:
    """Move mtimes into the past, so the stat cache trusts them (no racy-clean rehash)."""
    past = time.time() - seconds
    for path in paths:
        os.utime(path, (past, past))


def test_add_file_stores_it_and_records_v1(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBVC_AUTHOR", "Ada <ada@example.invalid>")
    write(Path(repo.root, "model.bin"), b"weights")
    before = time.time()
    (result,) = repo.add(["model.bin"], message="first", producer="cell:abc")
    oid = blake3(b"weights").hexdigest()
    assert result.created
    assert result.artifact == "model.bin"
    version = result.version
    assert (version.name, version.oid, version.kind, version.size, version.nfiles) == (
        "v1",
        oid,
        "file",
        7,
        1,
    )
    assert version.message == "first"
    assert version.author == "Ada <ada@example.invalid>"
    assert version.producer == "cell:abc"
    assert before - 1 <= version.created <= time.time() + 1
    assert Path(repo.odb.path(oid)).read_bytes() == b"weights"
    ptr = pointer_of(repo, "model.bin")
    assert (ptr.oid, ptr.kind, ptr.size, ptr.nfiles, ptr.version) == (oid, "file", 7, 1, 1)
    assert "/model.bin" in Path(repo.root, ".gitignore").read_text(encoding="utf-8").splitlines()
    assert Path(repo.root, "model.bin").read_bytes() == b"weights"  # workspace untouched


def test_author_comes_from_git_config(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NBVC_AUTHOR")
    write(Path(repo.root, "m"), "x")
    assert repo.add(["m"])[0].version.author == "Test User <test@example.invalid>"


def test_add_directory_records_a_tree(repo: Repo) -> None:
    root = Path(repo.root)
    make_tree(
        root / "data",
        {
            "a.csv": "1,2\n",
            "raw/deep/er/b.bin": b"\x00\x01",
            "raw/empty": None,
            "données/été.csv": "é\n",
            "模型/权重.bin": "w",
            "run.sh": "#!/bin/sh\n",
        },
    )
    (root / "data" / "run.sh").chmod(0o755)
    (result,) = repo.add(["data"])
    snap = result.snapshot
    assert snap.kind == "dir"
    assert snap.oid.endswith(".dir")
    assert snap.tree is not None
    assert sorted(snap.tree.files) == [
        "a.csv",
        "données/été.csv",
        "raw/deep/er/b.bin",
        "run.sh",
        "模型/权重.bin",
    ]
    assert snap.tree.empty_dirs == frozenset({"raw/empty"})
    assert snap.tree.files["run.sh"].executable
    assert not snap.tree.files["a.csv"].executable
    assert (result.version.nfiles, result.version.size) == (5, snap.tree.size)
    assert repo.workspace.load_tree(snap.oid) == snap.tree
    for oid in file_oids(repo, "data"):
        assert repo.odb.exists(oid)
    assert repo.index.is_complete(snap.oid)


def test_add_in_a_subfolder_ignores_it_there(repo: Repo) -> None:
    root = Path(repo.root)
    write(root / "models" / "m.pt", "w")
    os.chdir(root / "models")
    (result,) = repo.add(["m.pt"])
    assert result.artifact == "models/m.pt"
    assert (root / "models" / "m.pt.nbvc").is_file()
    assert (root / "models" / ".gitignore").read_text(encoding="utf-8") == "/m.pt\n"


def test_gitignore_entry_is_added_once_to_existing_file(repo: Repo) -> None:
    root = Path(repo.root)
    (root / ".gitignore").write_text("*.pyc", encoding="utf-8")
    write(root / "m", "1")
    repo.add(["m"])
    write(root / "m", "2")
    repo.add(["m"])
    assert (root / ".gitignore").read_text(encoding="utf-8") == "*.pyc\n/m\n"


def test_readding_unchanged_content_creates_no_version(repo: Repo) -> None:
    make_tree(Path(repo.root, "d"), {"x": "1", "y/z": "2"})
    first = repo.add(["d"], message="one")[0]
    again = repo.add(["d"], message="ignored")[0]
    assert again.created is False
    assert again.version == first.version
    assert len(repo.records.ids("versions")) == 1


def test_readding_old_content_reuses_its_version(repo: Repo) -> None:
    path = write(Path(repo.root, "m"), "1")
    repo.add(["m"])
    path.write_text("2", encoding="utf-8")
    repo.add(["m"])
    repo.checkout("m@v1")
    again = repo.add(["m"])[0]
    assert (again.created, again.version.name) == (False, "v1")
    assert pointer_of(repo, "m").version == 1
    assert [v.name for v in repo.log("m")] == ["v2", "v1"]


def test_changed_content_creates_the_next_version(repo: Repo) -> None:
    path = write(Path(repo.root, "m"), "1")
    repo.add(["m"])
    path.write_text("2", encoding="utf-8")
    (result,) = repo.add(["m"], message="second")
    assert result.created
    assert result.version.name == "v2"
    assert pointer_of(repo, "m").version == 2


def test_tags_on_add(repo: Repo) -> None:
    write(Path(repo.root, "m"), "1")
    (result,) = repo.add(["m"], tags=["baseline", "prod"])
    assert result.version.tags == ("baseline", "prod")
    write(Path(repo.root, "m"), "2")
    repo.add(["m"], tags=["prod"])
    assert [v.tags for v in repo.log("m")] == [("prod",), ("baseline",)]


def test_several_paths_at_once_and_duplicates(repo: Repo) -> None:
    write(Path(repo.root, "a"), "a")
    write(Path(repo.root, "b"), "b")
    results = repo.add(["a", "b", "./a", "b.nbvc"])
    assert [r.artifact for r in results] == ["a", "b"]


def test_unchanged_files_are_not_read_again(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(repo.root)
    make_tree(root / "d", {f"f{i}": str(i) for i in range(20)})
    age(*(root / "d").iterdir())
    repo.add(["d"])
    reads: list[str] = []
    real_stage_file = odb.ObjectStore.stage_file

    def counting_stage_file(store: odb.ObjectStore, src: str) -> odb.Staged:
        reads.append(src)
        return real_stage_file(store, src)

    def counting_hash_path(path: str, size: int | None = None) -> str:
        reads.append(path)
        return hash_path(path, size)

    monkeypatch.setattr(odb.ObjectStore, "stage_file", counting_stage_file)
    monkeypatch.setattr(build, "hash_path", counting_hash_path)
    assert repo.add(["d"])[0].created is False
    assert repo.status() and reads == []
    (root / "d" / "f3").write_text("changed", encoding="utf-8")
    assert repo.add(["d"])[0].created
    assert reads == [str(root / "d" / "f3")]


@pytest.mark.parametrize("artifact", ["missing", "d/missing"])
def test_missing_path(repo: Repo, artifact: str) -> None:
    Path(repo.root, "d").mkdir()
    with pytest.raises(PathError, match="does not exist"):
        repo.add([artifact])


def test_nothing_to_add(repo: Repo) -> None:
    with pytest.raises(PathError, match="nothing to add"):
        repo.add([])


def test_paths_outside_the_repo_are_refused(repo: Repo, tmp_path: Path) -> None:
    write(tmp_path / "outside.txt", "x")
    for user_path in ("../outside.txt", str(tmp_path / "outside.txt"), ".nbvc/config"):
        with pytest.raises(PathError):
            repo.add([user_path])
    assert list(repo.odb.iter_oids()) == []


def test_overlapping_artifacts_are_refused(repo: Repo) -> None:
    make_tree(Path(repo.root, "d"), {"sub/x": "1", "y": "2"})
    repo.add(["d"])
    with pytest.raises(OverlapError, match="nbvc add d"):
        repo.add(["d/sub/x"])
    make_tree(Path(repo.root, "e"), {"sub/x": "1"})
    repo.add(["e/sub/x"])
    with pytest.raises(OverlapError, match="tracked on its own"):
        repo.add(["e"])
    make_tree(Path(repo.root, "f"), {"x": "1"})
    with pytest.raises(OverlapError):
        repo.add(["f", "f/x"])


def test_symlinks_inside_the_repo_are_followed(repo: Repo) -> None:
    root = Path(repo.root)
    make_tree(root / "shared", {"big.bin": "payload", "nested/n.txt": "n"})
    make_tree(root / "d", {"real.txt": "r"})
    (root / "d" / "file_link").symlink_to(root / "shared" / "big.bin")
    (root / "d" / "dir_link").symlink_to("../shared")
    (root / "top_link").symlink_to("shared/big.bin")
    (result,) = repo.add(["d"])
    assert result.snapshot.tree is not None
    files = result.snapshot.tree.files
    assert sorted(files) == [
        "dir_link/big.bin",
        "dir_link/nested/n.txt",
        "file_link",
        "real.txt",
    ]
    assert files["file_link"].oid == blake3(b"payload").hexdigest()
    (top,) = repo.add(["top_link"])
    assert (top.snapshot.kind, top.snapshot.oid) == ("file", blake3(b"payload").hexdigest())


@pytest.mark.parametrize("where", ["file-in-dir", "dir-in-dir", "top-file", "top-dir"])
def test_symlinks_escaping_the_repo_are_refused(repo: Repo, tmp_path: Path, where: str) -> None:
    root = Path(repo.root)
    outside = make_tree(tmp_path / "outside", {"secret.txt": "s"})
    make_tree(root / "d", {"ok.txt": "ok"})
    link, target = {
        "file-in-dir": (root / "d" / "link", outside / "secret.txt"),
        "dir-in-dir": (root / "d" / "link", outside),
        "top-file": (root / "link", outside / "secret.txt"),
        "top-dir": (root / "link", outside),
    }[where]
    link.symlink_to(target)
    artifact = "link" if where.startswith("top") else "d"
    with pytest.raises(PathError, match="outside the repo"):
        repo.add([artifact])
    assert not Path(repo.abspath(artifact) + ".nbvc").exists()
    assert list(repo.odb.iter_oids()) == []


def test_symlink_loop_is_refused(repo: Repo) -> None:
    root = Path(repo.root)
    make_tree(root / "d", {"x": "1"})
    (root / "d" / "loop").symlink_to(root / "d")
    with pytest.raises(PathError, match="symlink loop"):
        repo.add(["d"])


def test_special_files_inside_a_folder_are_skipped(repo: Repo) -> None:
    root = Path(repo.root)
    make_tree(root / "d", {"x": "1"})
    os.mkfifo(root / "d" / "pipe")
    (result,) = repo.add(["d"])
    assert result.snapshot.tree is not None
    assert list(result.snapshot.tree.files) == ["x"]


@pytest.mark.timeout(20)
def test_a_special_file_cannot_be_added(repo: Repo) -> None:
    os.mkfifo(Path(repo.root, "pipe"))
    with pytest.raises(PathError, match="not a regular file"):
        repo.add(["pipe"])


def test_names_that_are_not_utf8_inside_a_folder_round_trip(repo: Repo) -> None:
    root = Path(repo.root)
    odd = os.fsdecode(b"caf\xe9.csv")  # Latin-1 bytes, not valid UTF-8
    make_tree(root / "d", {odd: "x", "ok.txt": "y"})
    (result,) = repo.add(["d"])
    assert result.snapshot.tree is not None
    assert odd in result.snapshot.tree.files
    (root / "d").rename(root / "moved")
    repo.checkout("d")
    assert sorted(os.listdir(root / "d")) == sorted(os.listdir(root / "moved"))
    assert repo.status(["d"])[0].state == "unchanged"


def test_an_artifact_whose_own_name_is_not_utf8_is_refused(repo: Repo) -> None:
    odd = os.fsdecode(b"model\xff.bin")
    write(Path(repo.root, odd), "w")
    with pytest.raises(PathError, match="not a valid UTF-8 name"):
        repo.add([odd])
    assert list(repo.odb.iter_oids()) == []


def test_adding_a_folder_checks_each_new_object_once_and_syncs_folders_once(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cost of a cold add is per file: one existence check per new object (on the
    workers), and one sync of the object folders for all commits, made before the folder's
    manifest (which refers to the objects) is stored."""
    make_tree(Path(repo.root, "d"), {f"f{i}": f"content {i}" for i in range(40)})
    monkeypatch.setattr(build, "COMMIT_FILES", 8)  # five commits
    checks: list[str] = []
    events: list[str] = []
    real_exists, real_sync_dirs = odb.ObjectStore.exists, fsutil.sync_dirs
    real_add_bytes = odb.ObjectStore.add_bytes

    def counting_exists(store: odb.ObjectStore, oid: str) -> bool:
        checks.append(oid)
        return real_exists(store, oid)

    def recording_sync_dirs(paths: Sequence[str], any_path_on_fs: str) -> None:
        events.append(f"sync {len(set(paths))}")
        real_sync_dirs(paths, any_path_on_fs)

    def recording_add_bytes(store: odb.ObjectStore, data: bytes, suffix: str = "") -> str:
        events.append(f"store {suffix}")
        return real_add_bytes(store, data, suffix)

    monkeypatch.setattr(odb.ObjectStore, "exists", counting_exists)
    monkeypatch.setattr(fsutil, "sync_dirs", recording_sync_dirs)
    monkeypatch.setattr(odb.ObjectStore, "add_bytes", recording_add_bytes)
    repo.add(["d"])
    file_checks = [oid for oid in checks if not oid.endswith(".dir")]
    assert len(file_checks) == 40
    objects_sync = [e for e in events if e.startswith("sync") and e != "sync 1"]
    assert len(objects_sync) == 1
    assert events.index(objects_sync[0]) < events.index("store .dir")
    wanted = {blake3(f"content {i}".encode()).hexdigest() for i in range(40)}
    assert wanted <= file_oids(repo, "d")
    assert all(real_exists(repo.odb, oid) for oid in wanted)
