"""Real processes: an `nbvc add` killed half-way, and concurrent `nbvc add`s on one repo."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nbvc.core.artifacts.pointer import read as read_pointer
from nbvc.core.repo import Repo
from tests.conftest import NbvcProcess, nbvc_command
from tests.helpers import read_tree

FOLDERS, FILES_PER_FOLDER, FILE_SIZE = 6, 100, 4096
LINE = re.compile(
    r"^(?P<artifact>\S+): (?P<verb>added|unchanged, still) (?P<version>v\d+) "
    r"\(.*, (?P<short>[0-9a-f]{8})\)$"
)


def make_big_folder(path: Path, seed: int, folders: int = FOLDERS) -> None:
    """Many small files: slow enough to add that a kill lands half-way."""
    for d in range(folders):
        folder = path / f"part{d:02}"
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(FILES_PER_FOLDER):
            (folder / f"{i:03}.bin").write_bytes(seed.to_bytes(4, "big") + os.urandom(FILE_SIZE))


def count_entries(folder: Path) -> int:
    """Files below ``folder`` (temp files live in a folder per process under `.nbvc/tmp`)."""
    return sum(len(files) for _, _, files in os.walk(folder))


def kill_when_staging(proc: subprocess.Popen[str], repo_root: Path, ready: int = 30) -> None:
    """SIGKILL ``proc`` while it copies files into the cache's temp folder (not yet committed)."""
    tmp = repo_root / ".nbvc" / "tmp"
    deadline = time.monotonic() + 60
    while count_entries(tmp) < ready:
        assert proc.poll() is None, "nbvc add finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def assert_consistent(repo_root: Path) -> None:
    """No pointer and no version names an object the cache lacks; every object is intact."""
    with Repo.open(str(repo_root)) as repo, repo.pool() as pool:
        oids = {v.oid for v in repo.history.all_versions()}
        for artifact in repo.tracked():
            found = read_pointer(repo.abspath(artifact))
            assert found is not None
            oids.add(found.oid)
            if found.version is not None:
                assert repo.history.by_number(artifact, found.version).oid == found.oid
        for oid in oids:
            assert repo.workspace.has_all(oid, pool), f"{oid} is referenced but not cached"
        assert repo.fsck().ok


def assert_readd_restores(repo_root: Path, version: str) -> None:
    """Adding again works, and what it recorded restores byte for byte."""
    data = repo_root / "data"
    with Repo.open(str(repo_root)) as repo:
        (result,) = repo.add([str(data)])
        assert result.version.name == version
        assert repo.status([str(data)])[0].state == "unchanged"
        moved = repo_root / f"moved-{time.monotonic_ns()}"
        data.rename(moved)  # moved aside: creating files on ext4 is slow for minutes after deletes
        repo.checkout(str(data))
    assert read_tree(data) == read_tree(moved)
    assert_consistent(repo_root)


@pytest.fixture
def repo_root(tmp_path: Path, nbvc_proc: NbvcProcess) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    assert nbvc_proc.run("init", cwd=root).code == 0
    return root


@pytest.mark.parametrize("when", ["first-add", "re-add"])
def test_add_killed_while_copying(repo_root: Path, nbvc_proc: NbvcProcess, when: str) -> None:
    data = repo_root / "data"
    make_big_folder(data, seed=1)
    if when == "re-add":
        assert "added v1" in nbvc_proc.run("add", "data", cwd=repo_root).out
        v1_files = read_tree(data)
        make_big_folder(data, seed=2)  # rewrite every file in place
    kill_when_staging(nbvc_proc.spawn("add", "data", cwd=repo_root), repo_root)

    assert_consistent(repo_root)
    status = nbvc_proc.run("status", "--json", cwd=repo_root)
    assert (status.code, status.err) == (0, "")
    if when == "first-add":
        assert not (repo_root / "data.nbvc").exists()
        assert json.loads(status.out) == []
        assert "added v1" in nbvc_proc.run("add", "data", cwd=repo_root).out
        assert_readd_restores(repo_root, "v1")
    else:
        (doc,) = json.loads(status.out)
        assert (doc["state"], doc["version"]) == ("modified", 1)
        assert "added v2" in nbvc_proc.run("add", "data", cwd=repo_root).out
        assert_readd_restores(repo_root, "v2")
        assert nbvc_proc.run("checkout", "data@v1", cwd=repo_root).code == 0
        assert read_tree(repo_root / "data") == v1_files


CRASH = """
import importlib, os, signal, sys
module_name, attribute = sys.argv[1], sys.argv[2]
owner = importlib.import_module(module_name)
*path, name = attribute.split(".")
for part in path:
    owner = getattr(owner, part)
def crash(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
setattr(owner, name, crash)
from nbvc.cli.main import main
sys.exit(main(sys.argv[3:]))
"""

CRASH_POINTS = {
    "before-commit": ("nbvc.core.storage.odb", "ObjectStore.commit"),
    "before-version": ("nbvc.core.artifacts.history", "History.record_version"),
    "before-pointer": ("nbvc.core.artifacts.pointer", "write"),
    "before-gitignore": ("nbvc.core.artifacts.gitignore", "ignore"),
}


@pytest.mark.parametrize("point", CRASH_POINTS)
@pytest.mark.parametrize("when", ["first-add", "re-add"])
def test_add_killed_at_each_step(repo_root: Path, point: str, when: str) -> None:
    data = repo_root / "data"
    make_big_folder(data, seed=1, folders=1)
    if when == "re-add":
        with Repo.open(str(repo_root)) as repo:
            assert repo.add([str(data)])[0].version.name == "v1"
        make_big_folder(data, seed=2, folders=1)
    module, attribute = CRASH_POINTS[point]
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH, module, attribute, "add", "data"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    assert_consistent(repo_root)
    with Repo.open(str(repo_root)) as repo:
        ptr = read_pointer(repo.abspath("data"))
        expected_pointer_version = {"first-add": None, "re-add": 1}[when]
        if point == "before-gitignore":
            expected_pointer_version = 1 if when == "first-add" else 2
        assert (ptr.version if ptr else None) == expected_pointer_version
    assert_readd_restores(repo_root, "v1" if when == "first-add" else "v2")
    assert "/data" in (repo_root / ".gitignore").read_text(encoding="utf-8").splitlines()


DRIVER = """
import json, os, subprocess, sys
command, artifact, label, rounds = json.loads(sys.argv[1])
lines = []
for n in range(rounds):
    tmp = f"{artifact}.{label}.tmp"
    with open(tmp, "w") as handle:
        handle.write(f"{label} round {n}\\n" * (n + 1))
    os.replace(tmp, artifact)  # readers see a whole file, never half of one
    done = subprocess.run([*command, "add", artifact, "-m", f"{label}-{n}"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"nbvc add failed: {done.stderr}")
    lines.extend(done.stdout.splitlines())
print(json.dumps(lines))
"""


def run_drivers(repo_root: Path, jobs: list[tuple[str, str]], rounds: int) -> Iterator[str]:
    """Run one driver process per (artifact, label) at the same time; yields their add lines."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", DRIVER, json.dumps([nbvc_command(), art, label, rounds])],
            cwd=repo_root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for art, label in jobs
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        yield from json.loads(out)


def assert_no_version_lost(repo_root: Path, lines: list[str], artifact: str) -> None:
    parsed = [m.groupdict() for line in lines if (m := LINE.match(line))]
    assert len(parsed) == len(lines), lines
    mine = [p for p in parsed if p["artifact"] == artifact]
    added = [p for p in mine if p["verb"] == "added"]
    with Repo.open(str(repo_root)) as repo:
        log = {v.name: v.oid for v in repo.history.versions(artifact)}
    # every version a process reported exists with the content it reported, once
    assert sorted(p["version"] for p in added) == sorted(log), (lines, log)
    for p in mine:
        assert log[p["version"]].startswith(p["short"]), (p, log)


def test_concurrent_adds_of_different_artifacts(repo_root: Path, nbvc_proc: NbvcProcess) -> None:
    lines = list(run_drivers(repo_root, [("a.txt", "A"), ("b.txt", "B")], rounds=4))
    for artifact in ("a.txt", "b.txt"):
        assert_no_version_lost(repo_root, lines, artifact)
        with Repo.open(str(repo_root)) as repo:
            assert len(repo.history.versions(artifact)) == 4
    assert "all intact" in nbvc_proc.run("fsck", cwd=repo_root).out
    assert_consistent(repo_root)


def test_concurrent_adds_of_one_artifact_with_different_content(
    repo_root: Path, nbvc_proc: NbvcProcess
) -> None:
    lines = list(run_drivers(repo_root, [("shared.txt", "A"), ("shared.txt", "B")], rounds=4))
    assert_no_version_lost(repo_root, lines, "shared.txt")
    with Repo.open(str(repo_root)) as repo:
        versions = repo.history.versions("shared.txt")
    assert len(versions) >= 2
    assert [v.number for v in versions] == list(range(len(versions), 0, -1))  # no gaps, no dupes
    assert "all intact" in nbvc_proc.run("fsck", cwd=repo_root).out
    assert_consistent(repo_root)
    for version in versions:  # every recorded version can be restored
        restored = nbvc_proc.run("checkout", "--force", f"shared.txt@{version.name}", cwd=repo_root)
        assert restored.code == 0, restored.err


def test_simultaneous_adds_of_the_same_content_make_one_version(
    repo_root: Path, nbvc_proc: NbvcProcess
) -> None:
    (repo_root / "same.txt").write_text("identical\n", encoding="utf-8")
    procs = [nbvc_proc.spawn("add", "same.txt", cwd=repo_root) for _ in range(3)]
    outs = [proc.communicate(timeout=60)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0]
    assert sum("added v1" in out for out in outs) == 1
    with Repo.open(str(repo_root)) as repo:
        assert [v.name for v in repo.history.versions("same.txt")] == ["v1"]
