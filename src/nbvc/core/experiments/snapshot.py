"""The code an experiment runs: the workspace as it is now, not only what git has committed.

In a git work tree that is every tracked file still present plus every untracked file git does
not ignore (so uncommitted edits are tried too, as ``dvc exp run`` does); outside git it is every
file below the repo root except ``.nbvc/``, ``.git/`` and the data nbvc tracks. Data tracked by
nbvc is not code: its pointer files are, and the experiment's workspace gets the data they name
from the cache or the remote. The snapshot travels with each task as bytes (no git server, no
shared disk needed) and is stored once as a tree object, so ``exp apply`` can restore the code a
run used.
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass

from nbvc.core.artifacts.pointer import SUFFIX
from nbvc.core.errors import ExperimentError
from nbvc.core.repo import DOT, Repo
from nbvc.core.storage import gitio
from nbvc.core.storage.hashing import hash_bytes
from nbvc.core.storage.tree import FileMeta, Tree

MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024
_SKIP_DIRS = {DOT, ".git", "__pycache__", ".ipynb_checkpoints", ".nbvc-worker"}


@dataclass(frozen=True)
class CodeFile:
    path: str  # relative, POSIX
    executable: bool
    data: bytes


@dataclass(frozen=True)
class CodeSnapshot:
    files: tuple[CodeFile, ...]
    git: str | None  # the commit checked out, if any
    dirty: bool  # the snapshot differs from that commit (uncommitted or untracked files)
    config: str  # .nbvc/config as it is now (link types, remotes)

    @property
    def tree(self) -> Tree:
        return Tree(
            {f.path: FileMeta(hash_bytes(f.data), len(f.data), f.executable) for f in self.files}
        )

    def describe(self) -> dict[str, object]:
        """What a run record says about its code."""
        return {"git": self.git, "dirty": self.dirty, "tree": self.tree.oid}


def take(repo: Repo) -> CodeSnapshot:
    """The workspace's code now."""
    paths = _git_paths(repo.root) if repo.in_git else None
    dirty = True
    if paths is None:
        paths = _walk(repo.root, {a for a in repo.tracked()})
    else:
        dirty = _git_dirty(repo.root)
    files, total = [], 0
    for rel in sorted(set(paths)):
        full = os.path.join(repo.root, rel)
        try:
            st = os.lstat(full)
        except FileNotFoundError:  # tracked by git but deleted in the workspace
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        total += st.st_size
        if total > MAX_SNAPSHOT_BYTES:
            raise ExperimentError(
                f"the code to snapshot is over {MAX_SNAPSHOT_BYTES >> 20} MiB ({rel} and more "
                "files git does not ignore); track data with `nbvc add` or add it to .gitignore"
            )
        with open(full, "rb") as handle:
            files.append(CodeFile(rel, bool(st.st_mode & 0o111), handle.read()))
    with open(os.path.join(repo.dot, "config"), encoding="utf-8") as handle:
        config = handle.read()
    return CodeSnapshot(tuple(files), gitio.head(repo.root), dirty, config)


def store(repo: Repo, snapshot: CodeSnapshot) -> str:
    """Keep the snapshot in the object store (so a run's code can be restored); its tree oid."""
    with repo.storing():
        for code in snapshot.files:
            repo.odb.add_bytes(code.data)
        tree = snapshot.tree
        repo.odb.add_bytes(tree.serialize(), ".dir")
    return tree.oid


def write(snapshot: CodeSnapshot, root: str) -> None:
    """Materialise the snapshot's files below ``root`` (a fresh, empty folder)."""
    for code in snapshot.files:
        path = os.path.join(root, code.path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(code.data)
        if code.executable:
            os.chmod(path, 0o755)


def _git_paths(root: str) -> list[str] | None:
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=root,
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    names = [n.decode("utf-8", "surrogateescape") for n in done.stdout.split(b"\0") if n]
    return [n for n in names if n.split("/", 1)[0] not in _SKIP_DIRS]


def _git_dirty(root: str) -> bool:
    done = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=normal", "--", "."],
        cwd=root,
        capture_output=True,
        check=False,
    )
    return done.returncode != 0 or bool(done.stdout.strip())


def _walk(root: str, tracked: set[str]) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
        dirnames[:] = [
            d
            for d in dirnames
            if d not in _SKIP_DIRS and (f"{rel_dir}/{d}" if rel_dir else d) not in tracked
        ]
        for name in filenames:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if rel not in tracked or rel.endswith(SUFFIX):
                found.append(rel)
    return found
