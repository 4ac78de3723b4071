"""What must hold after any kill -9, whatever was killed.

* every version a record names (unless pruned), every object a run record keeps, every cell
  source a lineage record names, is present and readable: here, or (for records fetched from
  a remote that keeps the data) on that remote;
* no user file is lost or changed: a protected file is byte for byte as before; any other
  file that changed or went has its old content in the cache;
* no temp file is left in the workspace;
* the next command works: ``status``, the killed command itself, ``fsck`` (clean), and the
  index agrees with the records; and after it, no temp folder of a dead process is left.

Each check returns failures as ``(kind, detail)``; the harness counts them by kind.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from blake3 import blake3

from tests.faults.kill import nbvc_run

Failure = tuple[str, str]
SKIP_DIRS = {".nbvc", ".git"}


MANAGED = (".nbvc", "nbvc.lock")  # pointer files and the lock: nbvc's own bookkeeping
APPENDED = ".gitignore"  # nbvc only ever adds lines to it


@dataclass(frozen=True)
class Before:
    """The workspace before the trial: relative path -> BLAKE3 of the content (and the text
    of every .gitignore)."""

    files: dict[str, str]
    gitignores: dict[str, bytes]


def file_hash(path: Path) -> str:
    hasher = blake3()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


def workspace_files(ws: Path) -> dict[str, Path]:
    found = {}
    for dirpath, dirs, names in os.walk(ws):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in names:
            path = Path(dirpath, name)
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(ws).as_posix()] = path
    return found


def snapshot(ws: Path) -> Before:
    files = workspace_files(ws)
    return Before(
        {rel: file_hash(path) for rel, path in files.items()},
        {rel: path.read_bytes() for rel, path in files.items() if path.name == APPENDED},
    )


# -- the records, read from disk (not through the index, which may be what is broken) ---------
def _records(ws: Path, kind: str) -> list[dict[str, object]]:
    folder = ws / ".nbvc" / "records" / kind
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json")):
        found.append(json.loads(path.read_text()))
    return found


def named_objects(ws: Path) -> dict[str, str]:
    """oid -> what names it, for every object the records need kept."""
    pruned = {vid for p in _records(ws, "prunes") for vid in p["version_ids"]}  # type: ignore[attr-defined]
    needed: dict[str, str] = {}
    for version in _records(ws, "versions"):
        if version["id"] not in pruned:
            needed[str(version["oid"])] = f"{version['artifact']}@v{version['number']}"
    for run in _records(ws, "runs"):
        for stage, entry in (run.get("stages") or {}).items():  # type: ignore[attr-defined]
            outs = entry.get("outs") or {} if entry.get("status") in ("ran", "restored") else {}
            for path, out in outs.items():
                needed[out["oid"]] = f"run {run['id']} stage {stage} out {path}"
            for path, oid in (entry.get("replaced") or {}).items():
                needed[oid] = f"run {run['id']} stage {stage} kept {path}"
        for plot in run.get("plots") or ():  # type: ignore[attr-defined]
            needed[plot["oid"]] = f"run {run['id']} plot {plot['path']}"
    for cell in _records(ws, "lineage"):
        needed[str(cell["source_oid"])] = f"cell {cell['id']}"
    return needed


def _object(root: Path, oid: str, remote: bool) -> Path:
    return root / ("objects" if remote else ".nbvc/cache/objects") / oid[:2] / oid[2:]


def _readable(root: Path, oid: str, remote: bool) -> bool:
    path = _object(root, oid, remote)
    if not path.is_file():
        return path.with_name(path.name + ".chunks").is_file() and _chunks_readable(
            root, oid, remote
        )
    if not oid.endswith(".dir"):
        return file_hash(path) == oid
    data = path.read_bytes()
    if blake3(data).hexdigest() != oid.removesuffix(".dir"):
        return False
    files = json.loads(data)["files"]
    return all(_readable(root, row[1], remote) for row in files)


def _chunks_readable(root: Path, oid: str, remote: bool) -> bool:
    """A file stored as chunks: its manifest, and every chunk in the packs beside the objects
    (the same layout in the cache and on a folder remote), hashing to ``oid``."""
    from nbvc.core.storage.chunks import ChunkStore
    from nbvc.core.storage.packs import PackStore

    objects = _object(root, oid, remote).parent.parent
    store = ChunkStore(str(objects), PackStore(str(objects.parent / "packs")), str(root))
    return store.verify(oid)


def check_records(ws: Path, remote: Path | None) -> list[Failure]:
    failures = []
    for oid, what in named_objects(ws).items():
        here = _readable(ws, oid, remote=False)
        there = remote is not None and _readable(remote, oid, remote=True)
        if not (here or there):
            failures.append(("lost-version", f"{what}: object {oid[:16]} missing or unreadable"))
    return failures


def check_remote_objects(remote: Path | None) -> list[Failure]:
    """Every object on a folder remote holds what its name says (uploads are atomic); a file
    stored as chunks is checked through its manifest and the remote's packs."""
    if remote is None or not (remote / "objects").is_dir():
        return []
    failures = []
    for dirpath, _, names in os.walk(remote / "objects"):
        for name in names:
            path = Path(dirpath, name)
            if name.endswith(".chunks"):
                oid = Path(dirpath).name + name.removesuffix(".chunks")
                intact = _chunks_readable(remote, oid, remote=True)
            else:
                oid = Path(dirpath).name + name
                intact = blake3(path.read_bytes()).hexdigest() == oid.removesuffix(".dir")
            if not intact:
                failures.append(("remote-corrupt", f"remote object {oid[:16]} does not match"))
    return failures


def check_user_files(ws: Path, before: Before, protected: Iterable[str]) -> list[Failure]:
    after = workspace_files(ws)
    failures = []
    for rel, digest in before.files.items():
        path = after.get(rel)
        if (path is not None and file_hash(path) == digest) or rel.endswith(MANAGED):
            continue
        if rel in before.gitignores:
            if path is None or not path.read_bytes().startswith(before.gitignores[rel]):
                failures.append(("user-file", f"{rel} lost lines"))
            continue
        if any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in protected):
            failures.append(("user-file", f"{rel} was {'changed' if path else 'removed'}"))
        elif not _readable(ws, digest, remote=False):
            failures.append(("user-file", f"{rel}: its old content is gone and not in the cache"))
    return failures


def check_no_temp_in_workspace(ws: Path, remote: Path | None) -> list[Failure]:
    failures = []
    for dirpath, dirs, names in os.walk(ws):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        failures += [
            ("temp-in-workspace", os.path.join(dirpath, n))
            for n in [*names, *dirs]
            if ".nbvc-" in n
        ]
    return failures


def check_next_commands(ws: Path, command: tuple[str, ...]) -> list[Failure]:
    """``status``, the killed command again, ``fsck`` and a log of every artifact all work."""
    failures: list[Failure] = []
    for args in (["status"], list(command), ["fsck"]):
        done = nbvc_run(args, ws, timeout=300)
        if "Traceback" in done.stderr or "internal error" in done.stderr:
            failures.append(("traceback", f"nbvc {' '.join(args)}: {done.stderr[-300:]}"))
        elif done.returncode != 0:
            kind = "fsck" if args == ["fsck"] else "next-command"
            failures.append((kind, f"nbvc {' '.join(args)} -> {done.returncode}: {done.stderr}"))
    return failures


def check_index(ws: Path) -> list[Failure]:
    """``nbvc log`` shows exactly the versions the records hold, for every artifact."""
    counts: dict[str, int] = {}
    for version in _records(ws, "versions"):
        counts[str(version["artifact"])] = counts.get(str(version["artifact"]), 0) + 1
    failures = []
    for artifact, expected in counts.items():
        done = nbvc_run(["log", artifact, "--json"], ws, timeout=120)
        shown = len(json.loads(done.stdout)) if done.returncode == 0 else -1
        pruned = _pruned_of(ws, artifact)
        if shown != expected - pruned:
            failures.append(("index", f"log {artifact}: {shown} versions, records hold {expected}"))
    return failures


def _pruned_of(ws: Path, artifact: str) -> int:
    pruned = {vid for p in _records(ws, "prunes") for vid in p["version_ids"]}  # type: ignore[attr-defined]
    return sum(
        1 for v in _records(ws, "versions") if v["artifact"] == artifact and v["id"] in pruned
    )


def check_temp_swept(ws: Path) -> list[Failure]:
    tmp = ws / ".nbvc" / "tmp"
    if not tmp.is_dir():
        return []
    left = [name for name in os.listdir(tmp) if name.startswith(("proc-", "new-"))]
    return [("temp-not-cleaned", f".nbvc/tmp/{name}") for name in left]


def git_available() -> bool:
    return subprocess.run(["git", "--version"], capture_output=True, check=False).returncode == 0
