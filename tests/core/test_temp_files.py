"""Temp files live where the user never sees them (`.nbvc/tmp/proc-*`), every scan ignores
them, and the next command removes those of a killed process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from nbvc.core.storage import scratch
from tests.conftest import Cli
from tests.faults.kill import killed_at, nbvc_run
from tests.faults.sandbox import can_unshare, run_on_full_disk
from tests.faults.scenarios import WS, build_pull
from tests.helpers import make_tree, read_tree, write

BIG = 8 << 20


def temp_files_in_workspace(root: Path) -> list[str]:
    found = []
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".nbvc"]
        found += [os.path.join(dirpath, n) for n in files if ".nbvc-" in n]
    return found


def files_under(folder: Path) -> list[str]:
    return [os.path.join(d, n) for d, _, names in os.walk(folder) for n in names]


@pytest.fixture
def two_versions(cli: Cli, repo: Repo) -> Path:
    """``data/`` (a big file and small ones) and ``big.bin`` at v1 and v2; v2 in the workspace."""
    root = Path(repo.root)
    for n in (1, 2):
        make_tree(root / "data", {f"f{i}.txt": f"{n}-{i}\n" for i in range(40)})
        write(root / "data" / "big.bin", bytes([n]) * BIG)
        write(root / "big.bin", bytes([n + 10]) * BIG)
        cli.ok("add", "data", "big.bin")
    repo.close()
    return root


@pytest.mark.parametrize(
    ("artifact", "point"),
    [
        ("big.bin", "nbvc.core.storage.chunks:_copy_range"),  # assembling a big (chunked) file
        ("data", "nbvc.core.storage.linking:copy_hashing:20"),  # half-way through a folder
        ("data", "os:chmod"),  # writing the pointer file
    ],
)
def test_a_killed_checkout_leaves_no_temp_file_in_the_workspace(
    two_versions: Path, artifact: str, point: str
) -> None:
    killed_at(point, ["checkout", f"{artifact}@v1"], two_versions)
    assert temp_files_in_workspace(two_versions) == []
    tmp = two_versions / ".nbvc" / "tmp"
    # the next command sweeps the dead process's temp folder, and works without --force
    done = nbvc_run(["checkout", f"{artifact}@v1"], two_versions)
    assert (done.returncode, done.stderr) == (0, "")
    assert files_under(tmp) == []
    status = nbvc_run(["status"], two_versions)
    assert "modified" not in status.stdout


def test_a_killed_add_leaves_no_temp_pointer_or_gitignore(cli: Cli, repo: Repo) -> None:
    root = Path(repo.root)
    repo.close()
    for n, point in enumerate(["os:chmod:2", "os:chmod:3"]):  # writing the pointer, .gitignore
        write(root / "m.txt", f"content {n}")
        killed_at(point, ["add", "m.txt"], root)
        assert temp_files_in_workspace(root) == []
    assert nbvc_run(["status"], root).returncode == 0
    assert files_under(root / ".nbvc" / "tmp") == []


def test_temp_files_an_older_nbvc_left_are_ignored_by_every_scan(cli: Cli, repo: Repo) -> None:
    root = Path(repo.root)
    make_tree(root / "data", {"a.txt": "a", "sub/b.txt": "b"})
    cli.ok("add", "data")
    write(root / "data" / "sub" / "b.txt.nbvc-tmp-1a2b3c4d", "junk of a killed checkout")
    write(root / "data" / ".nbvc-tmp-abcdef", "junk of a killed pointer write")
    write(root / "data" / ".nbvc-probe-0123", "")
    assert "unchanged" in cli.ok("status", "data")
    assert "unchanged, still v1" in cli.ok("add", "data")
    cli.ok("checkout", "data@v1")  # no refusal over "unsaved" junk


def test_the_next_command_removes_the_temp_folder_of_a_dead_process(
    cli: Cli, repo: Repo, tmp_path: Path
) -> None:
    tmp_root = Path(repo.dot, "tmp")
    script = (
        "import sys\n"
        "from nbvc.core.storage.scratch import scratch\n"
        "s = scratch(sys.argv[1])\n"
        "open(s.temp('fetch-'), 'wb').write(b'x' * 1000)\n"
        "print(s.dir, flush=True)\n"
        "sys.stdin.read()\n"
    )
    live = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert live.stdout is not None
    folder = Path(live.stdout.readline().strip())
    try:
        assert scratch.sweep(str(tmp_root)) == 0  # its process is alive: kept
        assert folder.is_dir()
    finally:
        live.kill()
        live.communicate()
    cli.ok("status")
    assert not folder.exists()


def test_old_loose_temp_files_are_removed(repo: Repo) -> None:
    tmp_root = Path(repo.dot, "tmp")
    old, recent = write(tmp_root / "fetch-old", "x"), write(tmp_root / "obj-recent", "y")
    os.utime(old, (1, 1))
    journal = write(tmp_root / "runs" / "r.jsonl", "{}")
    scratch.sweep(str(tmp_root))
    assert not old.exists()
    assert recent.exists() and journal.exists()


def test_a_temp_file_across_filesystems_is_listed_and_swept(tmp_path: Path) -> None:
    tmp_root = tmp_path / "tmp"
    found = scratch.Scratch(str(tmp_root))
    assert Path(found.dir).parent == tmp_root
    found._device = -1  # as if the target were on another filesystem
    target = tmp_path / "work" / "model.bin"
    target.parent.mkdir()
    beside = Path(found.temp_for(str(target)))
    assert beside.parent == target.parent and scratch.is_temp_name(beside.name)
    beside.write_bytes(b"partial")
    found.close()
    assert not beside.exists()
    assert not tmp_root.exists() or os.listdir(tmp_root) == []


@pytest.mark.skipif(not can_unshare(), reason="needs `unshare -m` for a small tmpfs")
def test_an_add_on_a_full_disk_leaves_nothing_behind(cli: Cli, repo: Repo) -> None:
    root = Path(repo.root)
    make_tree(root / "data", {f"f{i}.bin": os.urandom(64 << 10) for i in range(40)})
    before = [p for p in read_tree(root) if not p.startswith(".nbvc/")]
    repo.close()
    (add,), files = run_on_full_disk(root, [["add", "data"]])
    assert add["code"] == 1
    assert str(add["err"]).startswith("nbvc: error:") and "space" in str(add["err"])
    assert [f for f in files if f.startswith(".nbvc/tmp/")] == []
    assert [f for f in files if not f.startswith(".nbvc/")] == sorted(before)
    assert not any(f.startswith(".nbvc/records/") for f in files)


def test_a_killed_pull_leaves_no_fetched_temp_file_after_the_next_command(tmp_path: Path) -> None:
    build_pull(tmp_path)  # a clone with pointer files, and a remote holding a 8 MiB model
    ws = tmp_path / WS
    config = ws / ".nbvc" / "config"
    assert str(tmp_path / "remote") in config.read_text()
    # the model's chunks arrive as a pack: killed while checking the downloaded pack
    killed_at("nbvc.core.remote.chunk_transfer:_damaged", ["pull"], ws)
    tmp = ws / ".nbvc" / "tmp"
    assert [p for p in files_under(tmp) if "pack-" in p] != []  # what the kill left
    assert nbvc_run(["status"], ws).returncode == 0
    assert [p for p in files_under(tmp) if "pack-" in p] == []
    done = nbvc_run(["pull"], ws)
    assert (done.returncode, done.stderr) == (0, "")
    assert files_under(tmp) == [] or all("runs" in p for p in files_under(tmp))
