#!/usr/bin/env python3
"""Experiments: sweeps inline and on a Dask LocalCluster against `dvc exp run --queue` +
`dvc queue start`, a 1,000-point sweep queued and shown, and `exp apply` of 20,000 files
against `nbvc checkout` of them.

Scenarios (all by default; pick with --only):

- ``sweep``: N experiments (16) of a CPU-bound stage (2 s of CPU) run serially by nbvc (inline),
  on a 2-worker LocalCluster, and by DVC's queue with 2 jobs; the floor is the stage itself run
  N times in a row. Targets: parallel wall time <= 0.6x the serial run; per-experiment overhead
  ((serial - floor) / N) < 0.3 s.
- ``queue``: a 1,000-point sweep started in the background; the time until `nbvc exp show` lists
  all its points, then `exp show` alone. Target: < 2 s. DVC's `exp run --queue` is timed for a
  few points (one process per point) and given per point.
- ``apply``: a run whose dep is a 20,000-file folder; from a workspace where every file changed,
  `nbvc exp apply RUN` against `nbvc checkout data@v1` (alternating). Target: <= 1.3x checkout.

Prints median [min-max] seconds with the load average, and one JSON line per scenario.

    python benchmarks/bench_experiments.py [--only sweep,queue,apply] [--experiments 16]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGE = """\
import json, time, yaml
p = yaml.safe_load(open("params.yaml"))
end = time.process_time() + p["seconds"]
x = 0
while time.process_time() < end:
    x += 1
json.dump({"score": p["lr"] * 10 + p["seed"] % 7, "loops": x}, open("metrics.json", "w"))
open("model.txt", "w").write(f"lr={p['lr']} seed={p['seed']}\\n")
"""
PIPELINE = """\
stages:
  train:
    cmd: python train.py
    deps: [train.py]
    params: [lr, seed, seconds]
    outs: [model.txt]
    metrics:
      - metrics.json: {cache: false}
"""
APPLY_STAGE = """\
import os
n = len(os.listdir("data"))
open("count.txt", "w").write(f"{n}\\n")
"""
APPLY_PIPELINE = """\
stages:
  count:
    cmd: python count.py
    deps: [count.py, data]
    params: [lr]
    outs: [count.txt]
"""


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    run(cmd, cwd, env)
    return time.perf_counter() - started


def summary(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} [{min(times):.2f}-{max(times):.2f}]"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def git_project(root: Path, env: dict[str, str], files: dict[str, str]) -> None:
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text)
    run(["git", "init", "-q", "."], root, env)
    run(["git", "config", "user.email", "b@example.com"], root, env)
    run(["git", "config", "user.name", "bench"], root, env)


def commit(root: Path, env: dict[str, str]) -> None:
    run(["git", "add", "-A"], root, env)
    run(["git", "commit", "-q", "-m", "project"], root, env)


# -- sweep ----------------------------------------------------------------------------------
def sweep(work: Path, args: argparse.Namespace, env: dict[str, str]) -> dict[str, object]:
    n, seconds = args.experiments, args.seconds
    params = f"lr: 0.1\nseed: 0\nseconds: {seconds}\n"
    files = {"train.py": STAGE, "params.yaml": params}
    nbvc_root, dvc_root, floor_root = work / "sweep-nbvc", work / "sweep-dvc", work / "floor"
    git_project(nbvc_root, env, {**files, "nbvc.yaml": PIPELINE})
    run([args.nbvc, "init", "-q"], nbvc_root, env)
    commit(nbvc_root, env)
    git_project(dvc_root, env, {**files, "dvc.yaml": PIPELINE})
    run([args.dvc, "init", "-q"], dvc_root, env)
    commit(dvc_root, env)
    git_project(floor_root, env, files)
    points = ",".join(str(i) for i in range(n))
    rows: dict[str, list[float]] = {"floor": [], "inline": [], "local2": [], "dvc_queue2": []}
    for attempt in range(args.repeat):
        seed = f"seed={points}"
        lr = f"lr={0.01 * (attempt + 1):.2f}"  # a new grid each time: no run-cache hits
        rows["floor"].append(
            timed(
                [
                    sys.executable,
                    "-c",
                    f"import subprocess\nfor _ in range({n}): "
                    "subprocess.run(['python', 'train.py'], check=True)",
                ],
                floor_root,
                env,
            )
        )
        rows["inline"].append(
            timed([args.nbvc, "exp", "run", "-q", "-S", lr, "-S", seed], nbvc_root, env)
        )
        lr = f"lr={0.01 * (attempt + 1) + 0.001:.3f}"
        rows["local2"].append(
            timed(
                [args.nbvc, "exp", "run", "-q", "-S", lr, "-S", seed, "--workers", "2"],
                nbvc_root,
                env,
            )
        )
        rows["dvc_queue2"].append(dvc_queue(dvc_root, args, env, attempt, n))
    serial, parallel = statistics.median(rows["inline"]), statistics.median(rows["local2"])
    overhead = (serial - statistics.median(rows["floor"])) / n
    print(f"\nsweep: {n} experiments of {seconds} s of CPU, {args.repeat} runs (load {load()})")
    for name, times in rows.items():
        print(f"  {name:<11} {summary(times)} s")
    print(f"  LocalCluster(2) / inline: {parallel / serial:.2f}   (target <= 0.6)")
    print(f"  per-experiment overhead: {overhead:.3f} s   (target < 0.3)")
    versus_dvc = parallel / statistics.median(rows["dvc_queue2"])
    print(f"  nbvc LocalCluster(2) / dvc queue -j 2: {versus_dvc:.2f}")
    return {
        "scenario": "sweep",
        "experiments": n,
        "seconds": seconds,
        "load": load(),
        **{f"{k}_runs_s": v for k, v in rows.items()},
        "parallel_over_serial": parallel / serial,
        "overhead_per_experiment_s": overhead,
    }


def dvc_queue(
    root: Path, args: argparse.Namespace, env: dict[str, str], attempt: int, n: int
) -> float:
    started = time.perf_counter()
    lr = f"lr={0.01 * (attempt + 1) + 0.002:.3f}"
    for i in range(n):
        run([args.dvc, "exp", "run", "--queue", "-S", lr, "-S", f"seed={i}"], root, env)
    run([args.dvc, "queue", "start", "-j", "2"], root, env)
    while True:
        status = run([args.dvc, "queue", "status"], root, env)
        if " Queued " not in status and " Running " not in status:
            break
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    run([args.dvc, "queue", "stop"], root, env)
    failed = [line for line in status.splitlines() if " Failed " in line]
    if failed:
        sys.exit("dvc queue had failures:\n" + status)
    return elapsed


# -- queue ----------------------------------------------------------------------------------
def queue(work: Path, args: argparse.Namespace, env: dict[str, str]) -> dict[str, object]:
    root = work / "queue-nbvc"
    files = {"train.py": STAGE, "params.yaml": "lr: 0.1\nseed: 0\nseconds: 0.05\n"}
    git_project(root, env, {**files, "nbvc.yaml": PIPELINE})
    run([args.nbvc, "init", "-q"], root, env)
    commit(root, env)
    started = time.perf_counter()
    sweep_process = subprocess.Popen(
        [args.nbvc, "exp", "run", "-q", "-S", "seed=range(0,1000)", "-n", "big"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while True:
            shown = subprocess.run(
                [args.nbvc, "exp", "show", "--json"], cwd=root, env=env,
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if shown.returncode == 0 and len(json.loads(shown.stdout)["rows"]) == 1000:
                break
            time.sleep(0.02)
        queued = time.perf_counter() - started
        shows = [timed([args.nbvc, "exp", "show"], root, env) for _ in range(args.repeat)]
    finally:
        run([args.nbvc, "exp", "cancel"], root, env)
        sweep_process.wait(timeout=120)
    finished = [timed([args.nbvc, "exp", "show", "big"], root, env) for _ in range(args.repeat)]
    dvc_root = work / "queue-dvc"
    git_project(dvc_root, env, {**files, "dvc.yaml": PIPELINE})
    run([args.dvc, "init", "-q"], dvc_root, env)
    commit(dvc_root, env)
    dvc_points = args.dvc_queue_points
    dvc_started = time.perf_counter()
    for i in range(dvc_points):
        run([args.dvc, "exp", "run", "--queue", "-S", f"seed={i}"], dvc_root, env)
    dvc_per_point = (time.perf_counter() - dvc_started) / dvc_points
    dvc_show = timed([args.dvc, "exp", "show", "--no-pager"], dvc_root, env)
    print(f"\nqueue: a 1,000-point sweep (load {load()})")
    print(f"  started -> `exp show` lists all 1,000: {queued:.2f} s   (target < 2)")
    print(f"  `exp show` while it runs:   {summary(shows)} s")
    print(f"  `exp show` once it ended:   {summary(finished)} s")
    print(
        f"  dvc exp run --queue: {dvc_per_point:.2f} s per point ({dvc_points} timed; "
        f"1,000 would take ~{dvc_per_point * 1000:.0f} s)"
    )
    print(f"  dvc exp show with {dvc_points} queued: {dvc_show:.2f} s")
    return {
        "scenario": "queue",
        "load": load(),
        "queued_and_shown_s": queued,
        "show_running_s": shows,
        "show_finished_s": finished,
        "dvc_queue_per_point_s": dvc_per_point,
        "dvc_show_s": dvc_show,
    }


# -- apply ----------------------------------------------------------------------------------
def apply(work: Path, args: argparse.Namespace, env: dict[str, str]) -> dict[str, object]:
    root = work / "apply-nbvc"
    git_project(root, env, {"count.py": APPLY_STAGE, "params.yaml": "lr: 0.1\n",
                            "nbvc.yaml": APPLY_PIPELINE})  # fmt: skip
    data = root / "data"
    data.mkdir()
    for i in range(args.files):
        (data / f"f{i:05d}.txt").write_text(f"row {i}\n" * (1 + i % 5))
    run([args.nbvc, "init", "-q"], root, env)
    run([args.nbvc, "add", "-q", "data"], root, env)
    commit(root, env)
    run([args.nbvc, "exp", "run", "-q", "-S", "lr=0.2", "-n", "a"], root, env)
    for i in range(args.files):  # every file changes: v2
        (data / f"f{i:05d}.txt").write_text(f"changed {i}\n")
    run([args.nbvc, "add", "-q", "data"], root, env)
    applies, checkouts = [], []
    for _ in range(args.repeat):
        checkouts.append(timed([args.nbvc, "checkout", "-q", "data@v1"], root, env))
        run([args.nbvc, "checkout", "-q", "data@v2"], root, env)
        run(["git", "checkout", "-q", "--", "params.yaml"], root, env)
        applies.append(timed([args.nbvc, "exp", "apply", "a-1"], root, env))
        run([args.nbvc, "checkout", "-q", "data@v2"], root, env)
        run(["git", "checkout", "-q", "--", "params.yaml"], root, env)
    ratio = statistics.median(applies) / statistics.median(checkouts)
    print(f"\napply: a run whose dep holds {args.files} files, all changed since (load {load()})")
    print(f"  nbvc checkout data@v1: {summary(checkouts)} s")
    print(f"  nbvc exp apply RUN:    {summary(applies)} s")
    print(f"  apply / checkout: {ratio:.2f}   (target <= 1.3)")
    return {
        "scenario": "apply",
        "files": args.files,
        "load": load(),
        "checkout_runs_s": checkouts,
        "apply_runs_s": applies,
        "ratio": ratio,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="sweep,queue,apply")
    parser.add_argument("--experiments", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dvc-queue-points", type=int, default=10)
    parser.add_argument("--dvc-venv", type=Path, default=Path("/work/venv-dvc"))
    parser.add_argument("--nbvc", default=str(Path(sys.executable).with_name("nbvc")))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    args.dvc = str(args.dvc_venv / "bin" / "dvc")
    if not Path(args.dvc).exists():
        sys.exit(f"{args.dvc} is missing: python -m venv {args.dvc_venv} && pip install dvc")
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    work = Path(tempfile.mkdtemp(prefix="nbvc-bench-exp-"))
    scenarios = {"sweep": sweep, "queue": queue, "apply": apply}
    try:
        for name in args.only.split(","):
            print(json.dumps(scenarios[name](work, args, env)), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
