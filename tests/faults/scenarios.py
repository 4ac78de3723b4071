"""What the fault harness kills: one scenario per writing command (and per storage kind).

A scenario builds a template once (a repo in ``ws/``, perhaps a folder remote in ``remote/``);
each trial works on a fresh copy of it and runs ``command`` there, killed at a random point.
To cover a new writing command, or a new kind of storage (chunked objects, say: a template whose
``.nbvc/config`` turns it on), add a :class:`Scenario` to :data:`SCENARIOS`; the harness and the
invariants (:mod:`tests.faults.invariants`) need no change.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nbvc.cli.main import main as nbvc_main
from nbvc.core.repo import Repo

WS, REMOTE = "ws", "remote"
BIG = (8 << 20) + 4096  # just over storage.hashing.BIG_FILE: the big-file paths are taken too


@dataclass(frozen=True)
class Scenario:
    name: str
    build: Callable[[Path], None]  # fills an empty template folder (``ws/``, ``remote/``)
    command: tuple[str, ...]  # nbvc arguments, run in ``ws/``
    protected: tuple[str, ...] = ("notes.txt",)  # files nothing may change (relative to ws/)
    uses_remote: bool = False


@contextlib.contextmanager
def _in(folder: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def nbvc(folder: Path, *args: str) -> str:
    """Run the CLI in-process in ``folder`` (building templates); it must succeed."""
    out, err = io.StringIO(), io.StringIO()
    with _in(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = nbvc_main(list(args))
    assert code == 0, (args, out.getvalue(), err.getvalue())
    return out.getvalue()


def _files(ws: Path, seed: int, big: bool = True) -> None:
    rng = random.Random(seed)
    for i in range(60):
        path = ws / "data" / f"part{i % 4}" / f"f{i:03}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"{seed},{i}\n".encode() + rng.randbytes(rng.randint(10, 6000)))
    (ws / "data" / "empty").mkdir(exist_ok=True)
    size = BIG if big else 300_000
    (ws / "model.bin").write_bytes(rng.randbytes(64) * (size // 64))


def _repo(template: Path) -> Path:
    ws = template / WS
    ws.mkdir(parents=True)
    Repo.init(str(ws))[0].close()
    (ws / "notes.txt").write_text("a file of the user's that nothing may touch\n")
    return ws


def build_add(template: Path) -> None:
    _files(_repo(template), 1)


def build_readd(template: Path) -> None:
    ws = _repo(template)
    _files(ws, 1)
    nbvc(ws, "add", "data", "model.bin", "-m", "v1")
    _files(ws, 2)


def build_checkout(template: Path) -> None:
    ws = _repo(template)
    for seed in (1, 2):
        _files(ws, seed)
        nbvc(ws, "add", "data", "model.bin", "-m", f"seed {seed}")


def build_gc(template: Path) -> None:
    ws = _repo(template)
    for seed in (1, 2, 3):
        _files(ws, seed, big=False)
        nbvc(ws, "add", "data", "model.bin", "-m", f"seed {seed}")
    with Repo.open(str(ws)) as repo:  # objects nothing references: what killed adds leave
        for n in range(40):
            repo.odb.add_bytes(f"garbage {n}".encode() * 100)


def _with_remote(template: Path) -> Path:
    ws = _repo(template)
    (template / REMOTE).mkdir()
    nbvc(ws, "remote", "add", "origin", str(template / REMOTE), "--default")
    return ws


def build_push(template: Path) -> None:
    ws = _with_remote(template)
    for seed in (1, 2):
        _files(ws, seed)
        nbvc(ws, "add", "data", "model.bin", "-m", f"seed {seed}")


def build_pull(template: Path) -> None:
    """A clone that has the pointer files and the config, and nothing else, yet."""
    source = template / "source"
    build_push(source)
    nbvc(source / WS, "push", "--all-versions")
    shutil.move(source / REMOTE, template / REMOTE)
    ws = _repo(template)
    for name in ("data.nbvc", "model.bin.nbvc", ".gitignore"):
        shutil.copy(source / WS / name, ws / name)
    nbvc(ws, "remote", "add", "origin", str(template / REMOTE), "--default")
    shutil.rmtree(source)


PIPELINE = """\
stages:
  prepare:
    cmd: python prepare.py
    deps: [prepare.py, data]
    params: [prepare.rows]
    outs: [prepared]
  train:
    cmd: python train.py
    deps: [train.py, prepared]
    params: [train.lr]
    outs: [model.out]
    metrics:
      - metrics.json: {cache: false}
"""
PREPARE = """\
import os, shutil, yaml
rows = yaml.safe_load(open("params.yaml"))["prepare"]["rows"]
shutil.rmtree("prepared", ignore_errors=True)
os.makedirs("prepared")
for name in sorted(os.listdir("data/part0"))[:rows]:
    shutil.copy(os.path.join("data/part0", name), os.path.join("prepared", name))
"""
TRAIN = """\
import json, os, yaml
lr = yaml.safe_load(open("params.yaml"))["train"]["lr"]
size = sum(os.path.getsize(os.path.join("prepared", n)) for n in os.listdir("prepared"))
open("model.out", "wb").write(bytes([int(lr * 100) % 256]) * (size * 50))
json.dump({"size": size, "lr": lr}, open("metrics.json", "w"))
"""


def build_repro(template: Path) -> None:
    ws = _repo(template)
    _files(ws, 1, big=False)
    (ws / "nbvc.yaml").write_text(PIPELINE)
    (ws / "prepare.py").write_text(PREPARE)
    (ws / "train.py").write_text(TRAIN)
    (ws / "params.yaml").write_text("prepare: {rows: 8}\ntrain: {lr: 0.1}\n")
    nbvc(ws, "repro")
    (ws / "params.yaml").write_text("prepare: {rows: 12}\ntrain: {lr: 0.2}\n")
    (ws / "model.out").write_bytes(b"a model edited by hand, never added")  # must survive


def build_index_rebuild(template: Path) -> None:
    ws = _repo(template)
    with Repo.open(str(ws)) as repo:
        for n in range(300):
            (ws / "m.txt").write_text(f"version {n}\n")
            repo.add([str(ws / "m.txt")], message=f"v{n + 1}")
    for name in os.listdir(ws / ".nbvc"):
        if name.startswith("index.db"):
            os.unlink(ws / ".nbvc" / name)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("add", build_add, ("add", "data", "model.bin", "-m", "first")),
        Scenario("re-add", build_readd, ("add", "data", "model.bin", "-m", "second")),
        Scenario("checkout", build_checkout, ("checkout", "data@v1")),
        Scenario("checkout-file", build_checkout, ("checkout", "model.bin@v1")),
        Scenario("gc", build_gc, ("gc", "--keep-last", "1")),
        Scenario("push", build_push, ("push", "--all-versions"), uses_remote=True),
        Scenario("pull", build_pull, ("pull", "--all-versions"), uses_remote=True),
        Scenario("repro", build_repro, ("repro",), protected=("notes.txt", "data/part1")),
        Scenario("index-rebuild", build_index_rebuild, ("log", "m.txt")),
    )
}
