"""Plain helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from nbvc.core.artifacts.pointer import Pointer, pointer_path
from nbvc.core.artifacts.pointer import read as read_pointer_at
from nbvc.core.repo import Repo

FileSpec = dict[str, bytes | str | None]  # relative path -> content; None makes an empty folder


def write(path: Path, content: bytes | str) -> Path:
    """Write ``content`` to ``path``, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def make_tree(base: Path, files: FileSpec) -> Path:
    """Create files (and empty folders for ``None`` values) below ``base``."""
    base.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        if content is None:
            (base / rel).mkdir(parents=True, exist_ok=True)
        else:
            write(base / rel, content)
    return base


def read_tree(base: Path) -> dict[str, bytes]:
    """Every file below ``base`` (following symlinks) as relative POSIX path -> bytes."""
    found: dict[str, bytes] = {}
    for dirpath, _dirs, names in os.walk(base, followlinks=True):
        for name in names:
            full = Path(dirpath, name)
            found[full.relative_to(base).as_posix()] = full.read_bytes()
    return found


def pointer_of(repo: Repo, artifact: str) -> Pointer:
    found = read_pointer_at(repo.abspath(artifact))
    assert found is not None, f"{pointer_path(artifact)} is missing"
    return found


def object_path(repo: Repo, oid: str) -> Path:
    return Path(repo.odb.path(oid))


def corrupt_object(repo: Repo, oid: str, data: bytes = b"bit rot") -> None:
    """Overwrite a cached object in place, as a disk fault or a careless user would."""
    path = object_path(repo, oid)
    path.chmod(0o644)
    with open(path, "r+b") as handle:
        handle.write(data)


def file_oids(repo: Repo, artifact: str) -> set[str]:
    """Every object the artifact's pointer needs: the oid, plus a tree's file oids."""
    oid = pointer_of(repo, artifact).oid
    if not oid.endswith(".dir"):
        return {oid}
    return {oid} | {meta.oid for meta in repo.workspace.load_tree(oid).files.values()}


def set_config(repo_root: Path, text: str) -> None:
    (repo_root / ".nbvc" / "config").write_text(text, encoding="utf-8")


def set_link_types(repo_root: Path, *link_types: str) -> None:
    quoted = ", ".join(f'"{t}"' for t in link_types)
    set_config(repo_root, f"[core]\nlink_types = [{quoted}]\n")


def is_read_only(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o222 == 0


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def commit_all(cwd: Path, message: str) -> str:
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "-m", message)
    return git(cwd, "rev-parse", "HEAD")


def process_alive(pid: int) -> bool:
    """True while process ``pid`` runs (a zombie, dead but not yet reaped, does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ", 1)[1][0] != "Z"
