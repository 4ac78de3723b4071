"""The bad-input corpus: hostile or broken files, and where each goes in a repo.

Each file under this folder is one input; its folder says where it is put in a copy of the
template repo (:func:`build_template`): ``pipeline/`` at ``nbvc.yaml``, ``params/`` at
``params.yaml``, ``metrics/`` at ``metrics.<ext>``, ``plots/`` at ``plots.csv``, ``pointer/``
over ``model.bin.nbvc``, ``config/`` at ``.nbvc/config``, ``lock/`` at ``nbvc.lock``,
``record/`` as a version record, ``index/`` at ``.nbvc/index.db``, ``gitignore/`` at
``.gitignore``, ``dvc/`` at ``dvc.yaml`` (with no ``nbvc.yaml``). Inputs that cannot live in git
(a file over the size limit, file names with line breaks or bytes that are not UTF-8) are made
by :data:`GENERATED`. To add an input, drop a file in the right folder.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nbvc.core.repo import Repo
from tests.faults.scenarios import nbvc

HERE = Path(__file__).parent
WS = "ws"
RECORD_ID = "ffffffffffffffff-00000000"

PIPELINE = """\
stages:
  train:
    cmd: python train.py
    deps: [train.py, data]
    params: [train.lr]
    outs: [out.txt]
metrics: [metrics.json, metrics.yaml, metrics.toml, metrics.csv]
plots: [plots.csv]
"""
TRAIN = "open('out.txt', 'w').write('trained\\n')\n"


@dataclass(frozen=True)
class Entry:
    name: str  # e.g. "params/alias-bomb.yaml"
    place: Callable[[Path], None]  # puts the input into a copy of the template (its ws/)


def build_template(template: Path) -> dict[str, str]:
    """A repo with history, a pipeline that ran, a folder remote it was pushed to; returns the
    oids every input may refer to ({FILE_OID}, {DIR_OID})."""
    ws = template / WS
    ws.mkdir(parents=True)
    Repo.init(str(ws))[0].close()
    (ws / "notes.txt").write_text("the user's own file\n")
    (ws / "model.bin").write_bytes(b"weights 1\n")
    (ws / "data").mkdir()
    (ws / "data" / "a.csv").write_text("x\n1\n")
    nbvc(ws, "add", "model.bin", "data", "-m", "first", "--tag", "base")
    (ws / "model.bin").write_bytes(b"weights 2\n")
    nbvc(ws, "add", "model.bin", "-m", "second")
    (ws / "nbvc.yaml").write_text(PIPELINE)
    (ws / "train.py").write_text(TRAIN)
    (ws / "params.yaml").write_text("train:\n  lr: 0.1\n")
    (ws / "metrics.json").write_text('{"acc": 0.5}')
    (ws / "plots.csv").write_text("step,y\n0,1\n1,2\n")
    nbvc(ws, "repro")
    (template / "remote").mkdir()
    nbvc(ws, "remote", "add", "origin", str(template / "remote"), "--default")
    nbvc(ws, "push", "--all-versions")
    with Repo.open(str(ws)) as repo:
        model = repo.history.by_number("model.bin", 1)
        data = repo.history.by_number("data", 1)
    return {"{FILE_OID}": model.oid, "{DIR_OID}": data.oid}


def copy_template(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest, symlinks=True)
    config = dest / WS / ".nbvc" / "config"
    config.write_text(config.read_text().replace(str(template), str(dest)))
    return dest / WS


def _content(path: Path, oids: dict[str, str]) -> bytes:
    data = path.read_bytes()
    for key, oid in oids.items():
        data = data.replace(key.encode(), oid.encode())
    return data


def _put(target: str) -> Callable[[Path, Path, dict[str, str]], None]:
    def place(source: Path, ws: Path, oids: dict[str, str]) -> None:
        path = ws / target.format(ext=source.suffix)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.chmod(0o644)
            path.unlink()
        if source.is_dir():
            shutil.copytree(source, path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_content(source, oids))
        if target.startswith(".nbvc/records"):
            _drop_index(ws)

    return place


def _dvc(source: Path, ws: Path, oids: dict[str, str]) -> None:
    (ws / "nbvc.yaml").unlink()
    (ws / "dvc.yaml").write_bytes(_content(source, oids))


def _drop_index(ws: Path) -> None:
    for name in os.listdir(ws / ".nbvc"):
        if name.startswith("index.db"):
            os.unlink(ws / ".nbvc" / name)


PLACES: dict[str, Callable[[Path, Path, dict[str, str]], None]] = {
    "pipeline": _put("nbvc.yaml"),
    "params": _put("params.yaml"),
    "metrics": _put("metrics{ext}"),
    "plots": _put("plots.csv"),
    "pointer": _put("model.bin.nbvc"),
    "config": _put(".nbvc/config"),
    "lock": _put("nbvc.lock"),
    "record": _put(f".nbvc/records/versions/{RECORD_ID}.json"),
    "index": _put(".nbvc/index.db"),
    "gitignore": _put(".gitignore"),
    "dvc": _dvc,
}


def _huge_params(ws: Path) -> None:
    with open(ws / "params.yaml", "w") as handle:
        handle.write("train:\n  lr: 0.1\n")
        handle.write(("pad: " + "x" * 1000 + "\n") * 35_000)  # over the 32 MiB limit


def _strange_names(ws: Path) -> None:
    for name in (b"two\nlines.csv", b"caf\xe9.csv", b"tab\there.csv", b" lead", b"-dash"):
        (ws / "data" / os.fsdecode(name)).write_text("strange\n")
    (ws / os.fsdecode(b"new\nline")).write_text("a file to add\n")


def _fifo_and_links(ws: Path) -> None:
    os.mkfifo(ws / "data" / "pipe")
    (ws / "data" / "dead").symlink_to(ws / "nowhere")
    os.mkfifo(ws / "params.yaml.fifo")
    (ws / "metrics.json").unlink()
    os.mkfifo(ws / "metrics.json")  # a reader that opened it would wait forever


def _foreign_state(ws: Path) -> None:
    (ws / "x.nbvc").write_text("my notes, not a pointer\n")
    (ws / ".nbvc" / "tmp" / "runs").mkdir(parents=True, exist_ok=True)
    (ws / ".nbvc" / "tmp" / "runs" / "r.jsonl").write_bytes(b"\xff\xfe{not json\n" + b"[" * 5000)


GENERATED: dict[str, Callable[[Path], None]] = {
    "generated/huge-params": _huge_params,
    "generated/strange-names": _strange_names,
    "generated/fifo-and-links": _fifo_and_links,
    "generated/foreign-state": _foreign_state,
}


def entries(oids: dict[str, str]) -> list[Entry]:
    """Every input of the corpus, with how to put it in place."""
    found = [
        Entry(f"{kind}/{source.name}", functools.partial(_placed, place, source, oids))
        for kind, place in PLACES.items()
        for source in sorted((HERE / kind).iterdir())
    ]
    found += [Entry(name, make) for name, make in GENERATED.items()]
    return found


def _placed(
    place: Callable[[Path, Path, dict[str, str]], None],
    source: Path,
    oids: dict[str, str],
    ws: Path,
) -> None:
    place(source, ws, oids)


def names() -> list[str]:
    """The names of every input (for test ids), without building anything."""
    files = [f"{kind}/{p.name}" for kind in PLACES for p in sorted((HERE / kind).iterdir())]
    return [*files, *GENERATED]


def known_versions(ws: Path) -> dict[str, str]:
    """oid -> version, read from the template's own version records."""
    found = {}
    for path in (ws / ".nbvc" / "records" / "versions").glob("*.json"):
        if path.stem == RECORD_ID:
            continue
        record = json.loads(path.read_text())
        found[record["oid"]] = f"{record['artifact']}@v{record['number']}"
    return found
