#!/usr/bin/env python3
"""nbvc moving into an up-to-date DVC project: one project, both tools, the same run.

Generates a DVC project of 20 stages over 5,000 dep files (`benchmarks/bench_repro.py`'s
pipeline, as dvc.yaml) in a git repo, reproduces it with `dvc repro`, then times, alternating
the tools so both see the same machine state:

- the first `nbvc repro` in the project (no `.nbvc/` yet: nbvc initialises itself, hashes every
  dep and out with md5 and BLAKE3, finds `dvc.lock` matching and runs nothing); `.nbvc/` is
  moved aside between repeats, never deleted in the timed loop;
- a no-op `nbvc repro` after it, against a no-op `dvc repro` and `dvc status`;
- the floor: `python -c pass`.

Targets: first nbvc repro under 1 s; no-op nbvc repro at least 5x faster than `dvc repro`.
Every timed nbvc run must skip all stages and leave `dvc status` clean (checked once).

    python benchmarks/bench_dvc_project.py [--stages 20] [--files 5000] [--repeat 5]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_repro import make_project, pipeline_yaml

FIRST_TARGET_S = 1.0
NOOP_RATIO_TARGET = 5.0


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    out = run(cmd, cwd, env)
    return time.perf_counter() - started, out


def summary(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} [{min(times):.3f}-{max(times):.3f}]"


def build(root: Path, stages: int, files: int, dvc: str, env: dict[str, str]) -> None:
    root.mkdir()
    make_project(root, stages, files)
    (root / "dvc.yaml").write_text(pipeline_yaml(stages))
    run(["git", "init", "-q", "."], root, env)
    run(["git", "commit", "-q", "--allow-empty", "-m", "empty"], root, env)
    run([dvc, "init", "-q"], root, env)
    started = time.perf_counter()
    run([dvc, "repro", "-q"], root, env)
    print(f"dvc repro (builds everything): {time.perf_counter() - started:.2f} s", flush=True)
    run(["git", "add", "-A"], root, env)
    run(["git", "commit", "-q", "-m", "reproduced"], root, env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", type=int, default=20)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dvc", default=shutil.which("dvc") or "dvc", help="dvc executable")
    parser.add_argument(
        "--nbvc", default=str(Path(sys.executable).with_name("nbvc")), help="nbvc executable"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    args = parser.parse_args()
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    for name, value in (("NAME", "Bench"), ("EMAIL", "bench@nbvc.invalid")):
        env.setdefault(f"GIT_AUTHOR_{name}", value)
        env.setdefault(f"GIT_COMMITTER_{name}", value)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    work = Path(tempfile.mkdtemp(prefix="nbvc-bench-dvc-"))
    project = work / "project"
    try:
        build(project, args.stages, args.files, args.dvc, env)
        first, noop, dvc_noop, dvc_status, floor = [], [], [], [], []
        for attempt in range(args.repeat):
            if (project / ".nbvc").exists():  # a fresh start: move nbvc's folder aside
                (project / ".nbvc").rename(work / f"nbvc-{attempt}")
            seconds, out = timed([args.nbvc, "repro"], project, env)
            assert f"{args.stages} skipped" in out, out
            first.append(seconds)
            seconds, out = timed([args.dvc, "repro"], project, env)
            assert "up to date" in out, out
            dvc_noop.append(seconds)
            seconds, out = timed([args.nbvc, "repro"], project, env)
            assert f"{args.stages} skipped" in out, out
            noop.append(seconds)
            dvc_status.append(timed([args.dvc, "status"], project, env)[0])
            floor.append(timed([sys.executable, "-c", "pass"], work, env)[0])
        clean = run([args.dvc, "status", "--json"], project, env).strip()
        assert clean == "{}", clean
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    ratio = statistics.median(dvc_noop) / statistics.median(noop)
    first_ok = statistics.median(first) < FIRST_TARGET_S
    ratio_ok = ratio >= NOOP_RATIO_TARGET
    load = os.getloadavg()
    print(
        f"up-to-date DVC project: {args.stages} stages, {args.files} dep files, "
        f"{args.repeat} runs each (load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})"
    )
    print(f"  first nbvc repro (adopts dvc.lock): {summary(first)} s   (target < 1 s)")
    print(f"  no-op nbvc repro:                   {summary(noop)} s")
    print(f"  no-op dvc repro:                    {summary(dvc_noop)} s")
    print(f"  dvc status:                         {summary(dvc_status)} s")
    print(f"  python -c pass:                     {summary(floor)} s")
    print(f"  dvc repro / nbvc repro: {ratio:.1f}x   (target >= {NOOP_RATIO_TARGET:.0f}x)")
    print(
        json.dumps(
            {
                "scenario": "dvc_project",
                "stages": args.stages,
                "files": args.files,
                "load": load,
                "first_nbvc_s": first,
                "noop_nbvc_s": noop,
                "noop_dvc_s": dvc_noop,
                "dvc_status_s": dvc_status,
                "ratio": ratio,
            }
        )
    )
    return 0 if first_ok and ratio_ok else 1


if __name__ == "__main__":
    sys.exit(main())
