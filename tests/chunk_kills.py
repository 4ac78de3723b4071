"""Kill -9 trials for chunked files: one function per writing command (add, push, pull, gc).

Each trial runs the real `nbvc` command as a process, kills it with SIGKILL after a random
delay (up to how long an uninterrupted run took), then checks what must hold whatever the
moment of the kill:

- no version refers to a missing or damaged chunk: every chunked file in the cache (or on the
  remote) lists only chunks that are in a pack with an index and match their digests;
- every version whose objects are in the cache checks out byte-identical;
- `fsck` finds nothing damaged;
- running the command again finishes the job.

`run_trials(kind, base, count, seed)` is the entry point (tests/core/test_chunk_kills.py runs a
few of each in CI; set NBVC_KILL_TRIALS for more). Kept free of pytest fixtures so a general
fault harness can call the same functions.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from blake3 import blake3

from nbvc.core.remote import remote_packs
from nbvc.core.remote.fs import open_remote
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import is_tree_oid
from nbvc.core.storage.manifest import Manifest

SIZE = 12 << 20  # about 150 chunks: a kill lands inside the work, not before or after it
CONFIG = "[cache]\nchunk_min_size = 65536\n"


@dataclass
class Trial:
    """One trial's folder: a repo ``work/repo`` with a folder remote ``work/remote``."""

    work: Path
    rng: random.Random
    contents: dict[str, bytes] = field(default_factory=dict)  # oid -> content of each version

    @property
    def repo(self) -> Path:
        return self.work / "repo"

    @property
    def remote(self) -> Path:
        return self.work / "remote"


def nbvc(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "nbvc.cli.main", "-q", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"nbvc {' '.join(args)} failed in {cwd}: {done.stderr}")
    return done


def killed_run(cwd: Path, args: list[str], delay: float) -> bool:
    """Run ``nbvc args``, SIGKILL it after ``delay`` seconds; True if it was killed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "nbvc.cli.main", "-q", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


def timed(cwd: Path, *args: str) -> float:
    started = time.monotonic()
    nbvc(cwd, *args)
    return time.monotonic() - started


# -- set-ups -------------------------------------------------------------------------------------
def new_trial(base: Path, rng: random.Random) -> Trial:
    trial = Trial(base, rng)
    trial.repo.mkdir(parents=True)
    nbvc(trial.repo, "init")
    (trial.repo / ".nbvc" / "config.local").write_text(CONFIG)
    nbvc(trial.repo, "remote", "add", "origin", str(trial.remote), "--default")
    return trial


def write_version(trial: Trial, content: bytes) -> None:
    (trial.repo / "ckpt.bin").write_bytes(content)
    trial.contents[blake3(content).hexdigest()] = content


def edited(trial: Trial, content: bytes) -> bytes:
    """``content`` with a few regions rewritten and 1 KiB inserted near the start."""
    out = bytearray(content)
    for _ in range(3):
        at = trial.rng.randrange(len(out) - 200_000)
        out[at : at + 200_000] = trial.rng.randbytes(200_000)
    out[5000:5000] = trial.rng.randbytes(1024)
    return bytes(out)


def with_versions(trial: Trial, count: int) -> None:
    content = trial.rng.randbytes(SIZE)
    for _ in range(count):
        write_version(trial, content)
        nbvc(trial.repo, "add", "ckpt.bin")
        content = edited(trial, content)


# -- the checks ----------------------------------------------------------------------------------
def check_cache(path: Path, contents: dict[str, bytes], all_present: bool) -> None:
    """No chunked file in the cache lists a missing or damaged chunk, fsck is clean, and every
    recorded version in the cache (with ``all_present``: every recorded version) checks out
    identical to what was added."""
    with Repo.open(str(path)) as repo:
        result = repo.fsck()
        assert result.ok and not result.broken, f"fsck after a kill: {result}"
        for version in repo.history.versions("ckpt.bin"):
            if not repo.odb.exists(version.oid):
                assert not all_present, f"{version.name} is recorded but its object is missing"
                continue
            assert version.oid in contents
            manifest = repo.odb.chunks.load(version.oid)
            assert all(repo.odb.packs.has(d) for d in manifest.digests)
            assert repo.odb.verify(version.oid), f"{version.name} does not add up"


def check_remote(trial: Trial) -> None:
    """Every manifest on the remote lists chunks that are there, in packs with an index."""
    with Repo.open(str(trial.repo)) as repo:
        remote = open_remote(repo)
        there = remote_packs.load(repo, remote)
        names = remote.list_objects({f"{i:02x}" for i in range(256)})
        for name in names:
            if not name.endswith(".chunks") or is_tree_oid(name.removesuffix(".chunks")):
                continue
            data = remote.read_bytes(remote.object_path(name))
            assert data is not None
            manifest = Manifest.deserialize(data, name.removesuffix(".chunks"))
            missing = [d for d in manifest.digests if not there.has(d)]
            assert not missing, f"manifest {name[:12]} on the remote lacks {len(missing)} chunks"
        for pack, entries in there.entries.items():
            data = Path(remote.pack_path(pack, ".pack")).read_bytes()
            for digest, offset, length in entries:
                assert blake3(data[offset : offset + length]).digest() == digest


def check_round_trip(trial: Trial, clone: Path) -> None:
    with Repo.open(str(clone)) as repo:
        for version in repo.history.versions("ckpt.bin"):
            if repo.odb.exists(version.oid):
                repo.checkout(f"{clone / 'ckpt.bin'}@{version.name}", force=True)
                data = (clone / "ckpt.bin").read_bytes()
                assert data == trial.contents[version.oid]


# -- one trial per writing command -----------------------------------------------------------------
def trial_add(base: Path, rng: random.Random) -> bool:
    trial = new_trial(base, rng)
    with_versions(trial, 1)
    write_version(trial, edited(trial, (trial.repo / "ckpt.bin").read_bytes()))
    probe = base / "probe"
    shutil.copytree(trial.repo, probe)
    took = timed(probe, "add", "ckpt.bin")
    killed = killed_run(trial.repo, ["add", "ckpt.bin"], rng.uniform(0, took))
    check_cache(trial.repo, trial.contents, all_present=True)
    nbvc(trial.repo, "add", "ckpt.bin")
    check_cache(trial.repo, trial.contents, all_present=True)
    check_round_trip(trial, trial.repo)
    return killed


def trial_push(base: Path, rng: random.Random) -> bool:
    trial = new_trial(base, rng)
    with_versions(trial, 3)
    probe_remote = base / "probe-remote"
    nbvc(trial.repo, "remote", "add", "probe", str(probe_remote))
    took = timed(trial.repo, "push", "--all-versions", "-r", "probe")
    killed = killed_run(trial.repo, ["push", "--all-versions"], rng.uniform(0, took))
    check_remote(trial)
    nbvc(trial.repo, "push", "--all-versions")
    check_remote(trial)
    clone = _clone_and_pull(trial, base / "clone")
    check_round_trip(trial, clone)
    return killed


def trial_pull(base: Path, rng: random.Random) -> bool:
    trial = new_trial(base, rng)
    with_versions(trial, 3)
    nbvc(trial.repo, "push", "--all-versions")
    probe = _clone(trial, base / "probe")
    took = timed(probe, "fetch", "--all-versions")
    clone = _clone(trial, base / "clone")
    killed = killed_run(clone, ["fetch", "--all-versions"], rng.uniform(0, took))
    check_cache(clone, trial.contents, all_present=False)
    nbvc(clone, "pull", "--all-versions")
    check_cache(clone, trial.contents, all_present=True)
    check_round_trip(trial, clone)
    return killed


def trial_gc(base: Path, rng: random.Random) -> bool:
    trial = new_trial(base, rng)
    with_versions(trial, 3)
    fresh = rng.randbytes(3 * SIZE // 4) + (trial.repo / "ckpt.bin").read_bytes()[3 * SIZE // 4 :]
    write_version(trial, fresh)  # a version whose chunks are mostly new: packs get rewritten
    nbvc(trial.repo, "add", "ckpt.bin")
    probe = base / "probe"
    shutil.copytree(trial.repo, probe)
    took = timed(probe, "gc", "--keep-last", "1")
    killed = killed_run(trial.repo, ["gc", "--keep-last", "1"], rng.uniform(0, took))
    check_cache(trial.repo, trial.contents, all_present=True)
    nbvc(trial.repo, "gc", "--keep-last", "1")
    check_cache(trial.repo, trial.contents, all_present=True)
    check_round_trip(trial, trial.repo)
    return killed


def _clone(trial: Trial, dest: Path) -> Path:
    dest.mkdir()
    nbvc(dest, "init")
    (dest / ".nbvc" / "config.local").write_text(CONFIG)
    nbvc(dest, "remote", "add", "origin", str(trial.remote), "--default")
    return dest


def _clone_and_pull(trial: Trial, dest: Path) -> Path:
    clone = _clone(trial, dest)
    nbvc(clone, "fetch", "--all-versions")
    return clone


TRIALS: dict[str, Callable[[Path, random.Random], bool]] = {
    "add": trial_add,
    "push": trial_push,
    "pull": trial_pull,
    "gc": trial_gc,
}


def run_trials(kind: str, base: Path, count: int, seed: int) -> int:
    """Run ``count`` trials of ``kind`` in folders below ``base``; returns how many killed the
    command before it finished (the others let it finish: also a valid outcome)."""
    killed = 0
    for number in range(count):
        rng = random.Random(f"{seed}:{kind}:{number}")
        killed += TRIALS[kind](base / f"{kind}-{number}", rng)
    return killed
