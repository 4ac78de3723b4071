"""A git project with data tracked by nbvc and a one-stage pipeline whose result depends on its
params, for the experiments tests. The stage writes its parent's pid and its folder into
metrics.json and its ancestors' pids into its log, so tests see where it ran."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import read_tree
from tests.pipeline.kit import Project, make_project

PARAMS = """\
# training settings (this comment must survive an experiment and an apply)
train:
  lr: 0.1  # learning rate
  epochs: 2
  seconds: 0
"""

TRAIN = """\
import json, os, time, yaml


def ancestors(pid):
    chain = []
    while pid > 1:
        chain.append(pid)
        with open(f"/proc/{pid}/stat") as stat:
            pid = int(stat.read().rsplit(")", 1)[1].split()[1])
    return chain


p = yaml.safe_load(open("params.yaml"))["train"]
rows = [int(x) for x in open("data/raw.csv").read().split()]
time.sleep(p.get("seconds", 0))
loss = round(abs(p["lr"] - 0.05) * 10 + 1.0 / p["epochs"], 6)
open("model.bin", "w").write(f"model lr={p['lr']} epochs={p['epochs']} rows={len(rows)}\\n")
json.dump(
    {"loss": loss, "ppid": os.getppid(), "cwd": os.getcwd()},
    open("metrics.json", "w"),
)
print("trained", p["lr"], p["epochs"], "in", os.getcwd())
print("ancestors", *ancestors(os.getppid()))
"""

PIPELINE = """\
stages:
  train:
    cmd: python train.py
    deps: [train.py, data/raw.csv]
    params: [train.lr, train.epochs, train.seconds]
    outs: [model.bin]
    metrics:
      - metrics.json: {cache: false}
"""


def exp_project(root: Path, rows: int = 30) -> Project:
    """The project, committed to git, with data/raw.csv tracked by nbvc."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for key, value in (("user.email", "t@example.com"), ("user.name", "t")):
        subprocess.run(["git", "config", key, value], cwd=root, check=True)
    project = make_project(root)
    project.write("data/raw.csv", "\n".join(str(i) for i in range(rows)) + "\n")
    with project.repo() as repo:
        repo.add([str(root / "data" / "raw.csv")])
    project.write("params.yaml", PARAMS)
    project.write("train.py", TRAIN)
    project.write("nbvc.yaml", PIPELINE)
    project.git("add", "-A")
    project.git("commit", "-q", "-m", "project")
    return project


def workspace_state(project: Project) -> dict[str, bytes]:
    """Every file of the user's workspace except nbvc's own folder and git's."""
    tree = read_tree(project.root)
    return {path: data for path, data in tree.items() if not path.startswith((".nbvc/", ".git/"))}


def git_state(project: Project) -> tuple[str, str]:
    return project.git("rev-parse", "HEAD"), project.git("status", "--porcelain")


def env_without_run() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE"):
        env.pop(name, None)
    return env
