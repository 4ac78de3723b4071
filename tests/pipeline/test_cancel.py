"""Stopping a repro half-way (Ctrl-C in `nbvc repro`) kills the running command and everything
it started, records the run as interrupted, puts back the outs it removed (as after a failed
stage) and leaves nbvc.lock and the repo lock as they were: the next repro runs the stage
again."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
import yaml

from nbvc.core.repo import Repo
from tests.conftest import NbvcProcess
from tests.helpers import process_alive
from tests.kernel.kit import python_on_path

# the stage starts a grandchild (which ignores SIGINT, as a careless tool might), writes their
# pids, then works on (its out, removed before it ran, is not written yet)
STAGE = """\
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(120)"])
open("pids", "w").write(f"{os.getpid()} {child.pid}")
if os.path.exists("fast"):
    open("out.txt", "w").write("done")
    child.kill()
    sys.exit(0)
time.sleep(120)
"""
PIPELINE = {
    "stages": {"slow": {"cmd": "python stage.py", "deps": ["stage.py"], "outs": ["out.txt"]}}
}


def wait_for(path: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


@pytest.fixture
def project(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PATH", python_on_path())
    root = Path(repo.root)
    (root / "stage.py").write_text(STAGE)
    (root / "nbvc.yaml").write_text(yaml.safe_dump(PIPELINE))
    (root / "fast").touch()  # a first, complete run: v1 of out.txt and a lock entry
    return root


def test_ctrl_c_kills_the_command_and_its_children_and_keeps_the_lock(
    project: Path, nbvc_proc: NbvcProcess
) -> None:
    assert nbvc_proc.run("repro", cwd=project).code == 0
    lock_before = (project / "nbvc.lock").read_text()
    (project / "fast").unlink()
    (project / "pids").unlink()
    (project / "stage.py").write_text(STAGE + "# changed\n")
    repro = nbvc_proc.spawn("repro", cwd=project)
    wait_for(project / "pids")
    stage_pid, child_pid = map(int, (project / "pids").read_text().split())
    started = time.monotonic()
    repro.send_signal(signal.SIGINT)  # what Ctrl-C does to nbvc in a terminal
    out, err = repro.communicate(timeout=30)
    assert repro.returncode == 130, (out, err)
    assert time.monotonic() - started < 15
    assert err.rstrip().endswith("nbvc: interrupted")  # above it: the stage's own traceback
    deadline = time.monotonic() + 10
    while (process_alive(stage_pid) or process_alive(child_pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    # the grandchild ignored SIGINT
    assert not process_alive(stage_pid) and not process_alive(child_pid)
    assert (project / "nbvc.lock").read_text() == lock_before  # the stage did not finish
    assert (project / "out.txt").read_text() == "done"  # the out it removed is put back
    with Repo.open(str(project)) as opened:
        assert [v.name for v in opened.log("out.txt")] == ["v1"]
        runs = sorted(opened.records.iter("runs"), key=lambda r: r["started"])
        assert runs[-1]["status"] == "interrupted"
    (project / "fast").touch()
    again = nbvc_proc.run("repro", cwd=project, timeout=60)  # the repo lock was released
    assert again.code == 0 and "Running stage 'slow'" in again.out, again
