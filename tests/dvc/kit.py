"""A real DVC project built with the real `dvc` package, for nbvc to move into.

:func:`build_example` makes what a DVC user has: a git repo, `dvc add`-ed data (a file and a
folder), a local DVC remote holding everything (`dvc push`), a pipeline of prepare, train (logs
with dvclive), evaluate and a ``foreach`` report stage, params, a cached metrics file, top-level
plots with every built-in template, a custom template, image plots and declared artifacts. It is
reproduced twice with `dvc repro` and committed each time (HEAD~1 has ``train.lr`` 0.1, HEAD
0.2). Each script appends its stage to `calls.log`, so tests see exactly what ran.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import textwrap
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nbvc.cli.main import main
from tests.pipeline.kit import PARAMS

BIN = os.path.dirname(sys.executable)
DVC = os.path.join(BIN, "dvc")


def tool_env(home: Path) -> dict[str, str]:
    """The environment DVC and stage scripts run with: this venv first on PATH, DVC's analytics
    off and its site cache (state, locks) inside the test's folder."""
    env = dict(os.environ)
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE", "DVC_ROOT", "DVC_STAGE"):
        env.pop(name, None)
    env.update(
        {
            "PATH": os.pathsep.join([BIN, env.get("PATH", "")]),
            "DVC_NO_ANALYTICS": "1",
            "DVC_SITE_CACHE_DIR": str(home / "dvc-site-cache"),
            "GIT_AUTHOR_NAME": "Tester",
            "GIT_AUTHOR_EMAIL": "tester@nbvc.invalid",
            "GIT_COMMITTER_NAME": "Tester",
            "GIT_COMMITTER_EMAIL": "tester@nbvc.invalid",
        }
    )
    return env


@dataclass(frozen=True)
class Done:
    code: int
    out: str
    err: str


class DvcProject:
    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home
        self.env = tool_env(home)

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text()

    def run(self, *argv: str, check: bool = True) -> Done:
        done = subprocess.run(
            list(argv), cwd=self.root, env=self.env, capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{argv} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return Done(done.returncode, done.stdout, done.stderr)

    def dvc(self, *args: str, check: bool = True) -> Done:
        return self.run(DVC, *args, check=check)

    def git(self, *args: str) -> str:
        return self.run("git", *args).out

    def nbvc(self, *args: str) -> Done:
        """nbvc in this process (fast), with the stage environment tools see under DVC."""
        out, err = io.StringIO(), io.StringIO()
        saved = {k: os.environ.get(k) for k in self.env}
        cwd = os.getcwd()
        os.environ.update(self.env)
        os.chdir(self.root)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(args))
        finally:
            os.chdir(cwd)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        return Done(code, out.getvalue(), err.getvalue())

    def calls(self) -> list[str]:
        """Stages executed since the last call (and forget them)."""
        log = self.root / "calls.log"
        if not log.exists():
            return []
        calls = log.read_text().split()
        log.unlink()
        return calls

    def set_param(self, section: str, key: str, value: Any) -> None:
        params = yaml.safe_load(self.read("params.yaml"))
        params[section][key] = value
        self.path("params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))

    def lock(self) -> dict[str, Any]:
        stages: dict[str, Any] = yaml.safe_load(self.read("dvc.lock"))["stages"]
        return stages

    def copy(self, target: Path) -> DvcProject:
        """An independent copy (git history, DVC cache and remote included)."""
        shutil.copytree(self.root, target / "project", symlinks=True)
        shutil.copytree(self.home / "remote", target / "remote")
        home = target
        copy = DvcProject(target / "project", home)
        copy.dvc("remote", "modify", "--local", "storage", "url", str(target / "remote"))
        return copy


def png(width: int, height: int) -> bytes:
    """A valid RGB PNG of one colour (what matplotlib would save, smaller)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x30\x80\xc0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PREPARE = """\
import os, yaml
open("calls.log", "a").write("prepare\\n")
split = yaml.safe_load(open("params.yaml"))["prepare"]["split"]
rows = open("data/data.csv").read().split("\\n")[1:]
n = int(len(rows) * (1 - split))
os.makedirs("data/prepared", exist_ok=True)
open("data/prepared/train.csv", "w").write("x,y\\n" + "\\n".join(rows[:n]))
open("data/prepared/test.csv", "w").write("x,y\\n" + "\\n".join(rows[n:]))
"""

TRAIN = """\
import json, yaml
from dvclive import Live
open("calls.log", "a").write("train\\n")
p = yaml.safe_load(open("params.yaml"))["train"]
with Live("dvclive") as live:
    for epoch in range(p["epochs"]):
        live.log_metric("loss", round(1.0 / (epoch + 1) / p["lr"], 4))
        live.next_step()
json.dump({"w": p["lr"] * 3}, open("model.json", "w"))
"""

EVALUATE = """\
import base64, csv, json, math, os
open("calls.log", "a").write("evaluate\\n")
rows = list(csv.DictReader(open("data/prepared/test.csv")))
w = json.load(open("model.json"))["w"]
os.makedirs("eval/plots", exist_ok=True)
with open("eval/plots/confusion.csv", "w") as f:
    f.write("actual,predicted\\n")
    for r in rows:
        f.write(f"{r['y']},{int(float(r['x']) > w)}\\n")
acc = sum(1 for r in rows if int(float(r["x"]) > w) == int(r["y"])) / len(rows)
json.dump({"acc": round(acc, 4), "w": w}, open("eval/metrics.json", "w"))
roc = [{"fpr": i / 10, "tpr": min(1.0, i / 8 + w)} for i in range(11)]
roc[3]["tpr"] = math.nan
roc[4]["tpr"] = math.inf
json.dump(roc, open("eval/roc.json", "w"))
with open("eval/importance.csv", "w") as f:
    f.write("feature,importance\\nx,0.7\\nbias,0.2\\nnoise,0.1\\n")
open("eval/importance.png", "wb").write(base64.b64decode("IMAGE_B64"))
"""

PIPELINE = """\
stages:
  prepare:
    cmd: python src/prepare.py
    deps:
    - data/data.csv
    - data/images
    - src/prepare.py
    params:
    - prepare.split
    outs:
    - data/prepared
  train:
    cmd: python src/train.py
    deps:
    - data/prepared
    - src/train.py
    params:
    - train
    outs:
    - model.json
    - dvclive:
        cache: false
  evaluate:
    cmd: python src/evaluate.py
    deps:
    - data/prepared
    - model.json
    - src/evaluate.py
    outs:
    - eval/plots
    - eval/roc.json:
        cache: false
    - eval/importance.csv:
        cache: false
    - eval/importance.png
    metrics:
    - eval/metrics.json
  report:
    foreach: [a, b]
    do:
      cmd: mkdir -p reports && echo report ${item} > reports/${item}.txt
      deps:
      - model.json
      outs:
      - reports/${item}.txt
plots:
- confusion:
    template: confusion
    x: actual
    y:
      eval/plots/confusion.csv: predicted
- confusion_normalized:
    template: confusion_normalized
    x: actual
    y:
      eval/plots/confusion.csv: predicted
- eval/roc.json:
    x: fpr
    y: tpr
    title: ROC
- roc_simple:
    template: simple
    x: fpr
    y:
      eval/roc.json: tpr
- roc_scatter:
    template: scatter
    x: fpr
    y:
      eval/roc.json: [tpr]
- roc_smooth:
    template: smooth
    x: fpr
    y:
      eval/roc.json: tpr
- importance:
    template: bar_horizontal
    x: importance
    y:
      eval/importance.csv: feature
    x_label: importance
    y_label: feature
- importance_sorted:
    template: bar_horizontal_sorted
    x: importance
    y:
      eval/importance.csv: feature
- roc_custom:
    template: mine
    x: fpr
    y:
      eval/roc.json: tpr
- eval/importance.png
artifacts:
  model:
    path: model.json
    type: model
    desc: the trained weight
    labels: [linear, tiny]
  prepared:
    path: data/prepared
    type: dataset
"""

CUSTOM_TEMPLATE = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "data": {"values": "<DVC_METRIC_DATA>"},
    "title": "<DVC_METRIC_TITLE>",
    "width": "<DVC_METRIC_PLOT_WIDTH>",
    "height": "<DVC_METRIC_PLOT_HEIGHT>",
    "mark": {"type": "area", "opacity": 0.5},
    "encoding": {
        "x": {"field": "<DVC_METRIC_X>", "type": "quantitative", "title": "<DVC_METRIC_X_LABEL>"},
        "y": {"field": "<DVC_METRIC_Y>", "type": "quantitative", "title": "<DVC_METRIC_Y_LABEL>"},
        "color": "<DVC_METRIC_COLOR>",
        "strokeDash": "<DVC_METRIC_STROKE_DASH>",
    },
}


def build_example(root: Path, home: Path) -> DvcProject:
    """The example project (see the module docstring), reproduced by DVC and committed."""
    root.mkdir(parents=True)
    project = DvcProject(root, home)
    project.git("init", "-q")
    project.git("commit", "-q", "--allow-empty", "-m", "empty")  # `dvc add` needs a commit
    project.dvc("init", "-q")
    data = "x,y\n" + "\n".join(f"{(i * 37 % 100) / 100},{i % 2}" for i in range(80))
    project.write("data/data.csv", data)
    for name in ("a", "b", "c"):
        project.write(f"data/images/{name}.txt", f"image {name}\n")
    project.write(".dvcignore", "# scratch files\n*.tmp\n")  # DVC leaves skip.tmp out
    project.write("data/images/skip.tmp", "not data\n")
    project.dvc("add", "-q", "data/data.csv", "data/images")
    project.write("params.yaml", PARAMS)
    project.write("src/prepare.py", PREPARE)
    project.write("src/train.py", TRAIN)
    image = base64.b64encode(png(24, 16)).decode("ascii")
    project.write("src/evaluate.py", EVALUATE.replace("IMAGE_B64", image))
    project.write("dvc.yaml", PIPELINE)
    project.write(".dvc/plots/mine.json", json.dumps(CUSTOM_TEMPLATE, indent=2))
    project.write(".gitignore", "/calls.log\n")
    (home / "remote").mkdir()
    project.dvc("remote", "add", "-d", "storage", str(home / "remote"))
    project.git("add", "-A")
    project.git("commit", "-q", "-m", "pipeline")
    for lr in (0.1, 0.2):
        project.set_param("train", "lr", lr)
        project.dvc("repro", "-q")
        project.git("add", "-A")
        project.git("commit", "-q", "-m", f"lr {lr}")
        project.dvc("push", "-q")
    project.calls()
    return project
