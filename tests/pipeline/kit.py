"""Shared helpers for pipeline and runs tests: a project folder with a real nbvc repo.

`ml_pipeline` writes a three-stage pipeline (prepare, train, evaluate) with real Python scripts;
each script appends its stage name to `calls.log`, so tests see exactly which stages executed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from nbvc.cli.main import main
from nbvc.core.engine_options import ReproOptions
from nbvc.core.pipeline.outcome import ReproResult
from nbvc.core.pipeline.repro import repro
from nbvc.core.repo import Repo


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text()

    def json(self, rel: str) -> Any:
        return json.loads(self.read(rel))

    def nbvc(self, *args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
        return CliResult(code, out.getvalue(), err.getvalue())

    def repro(self, *targets: str, **options: Any) -> ReproResult:
        with Repo.open(str(self.root)) as repo:
            return repro(repo, ReproOptions(targets=targets, **options))

    @contextlib.contextmanager
    def repo(self) -> Iterator[Repo]:
        with Repo.open(str(self.root)) as repo:
            yield repo

    def lock(self) -> dict[str, Any]:
        data: dict[str, Any] = yaml.safe_load(self.read("nbvc.lock"))
        stages: dict[str, Any] = data["stages"]
        return stages

    def run(self, run_id: str) -> dict[str, Any]:
        with self.repo() as repo:
            return repo.records.read("runs", run_id)

    def calls(self) -> list[str]:
        """Stages executed since the last call (and forget them)."""
        log = self.root / "calls.log"
        if not log.exists():
            return []
        calls = log.read_text().split()
        log.unlink()
        return calls

    def git(self, *args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, check=True
        )
        return result.stdout


def make_project(root: Path) -> Project:
    Repo.init(str(root))
    return Project(root)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """An empty nbvc repo as the current folder, with this Python first on PATH."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", python_on_path())
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE"):
        monkeypatch.delenv(name, raising=False)
    return make_project(tmp_path)


def python_on_path() -> str:
    """PATH with this interpreter's folder first, so stage commands' `python` is ours."""
    return os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])


PARAMS = """\
prepare:
  split: 0.25
train:
  lr: 0.1
  epochs: 3
unused: 1
"""

PREPARE = """\
import os, yaml
open("calls.log", "a").write("prepare\\n")
split = yaml.safe_load(open("params.yaml"))["prepare"]["split"]
rows = open("data/raw.csv").read().split()
n = int(len(rows) * (1 - split))
os.makedirs("data/prepared", exist_ok=True)
open("data/prepared/train.csv", "w").write("\\n".join(rows[:n]))
open("data/prepared/test.csv", "w").write("\\n".join(rows[n:]))
print(f"prepared {n} rows")
"""

TRAIN = """\
import json, yaml, nbvc
open("calls.log", "a").write("train\\n")
p = yaml.safe_load(open("params.yaml"))["train"]
rows = [int(x) for x in open("data/prepared/train.csv").read().split()]
nbvc.log_param("rows", len(rows))
for epoch in range(p["epochs"]):
    nbvc.log_metric("loss", round(1.0 / (epoch + 1) / p["lr"], 4))
json.dump({"weight": round(sum(rows) * p["lr"], 4)}, open("model.json", "w"))
print("trained")
"""

EVALUATE = """\
import json, os
open("calls.log", "a").write("evaluate\\n")
model = json.load(open("model.json"))
test = [int(x) for x in open("data/prepared/test.csv").read().split()]
acc = round((model["weight"] % 97) / 97, 4)
json.dump({"acc": acc, "n": len(test)}, open("metrics.json", "w"))
os.makedirs("plots", exist_ok=True)
with open("plots/curve.csv", "w") as f:
    f.write("step,precision,recall\\n")
    for i in range(3):
        f.write(f"{i},{acc / (i + 1):.4f},{1 - acc / (i + 2):.4f}\\n")
"""

STAGES = """\
stages:
  prepare:
    cmd: python prepare.py
    deps: [prepare.py, data/raw.csv]
    params: [prepare.split]
    outs: [data/prepared]
  train:
    cmd: python train.py
    deps: [train.py, data/prepared]
    params: [train.lr, train.epochs]
    outs: [model.json]
  evaluate:
    cmd: python evaluate.py
    deps: [evaluate.py, model.json, data/prepared]
    metrics:
      - metrics.json: {cache: false}
"""
PIPELINE = (
    STAGES
    + """\
    plots:
      - plots/curve.csv: {x: step, y: [precision, recall]}
"""
)


def ml_pipeline(project: Project, rows: int = 40) -> Project:
    project.write("data/raw.csv", "\n".join(str(i) for i in range(rows)) + "\n")
    project.write("params.yaml", PARAMS)
    project.write("prepare.py", PREPARE)
    project.write("train.py", TRAIN)
    project.write("evaluate.py", EVALUATE)
    project.write("nbvc.yaml", PIPELINE)
    return project


def set_param(project: Project, section: str, key: str, value: Any) -> None:
    data = yaml.safe_load(project.read("params.yaml"))
    data[section][key] = value
    project.write("params.yaml", yaml.safe_dump(data, sort_keys=False))
