#!/usr/bin/env python3
"""No-op `repro` on a 20-stage pipeline with 5,000 dep files: nbvc against DVC.

Stand-alone: generates two identical projects (one for nbvc, one for DVC) under a temp folder,
runs `repro` once in each to build everything, then times `repro` with nothing to do, alternating
the tools (A, B, A, B, ...) so both see the same machine state. Prints median [min-max] seconds,
the ratio nbvc/DVC and a JSON summary line. Target: nbvc's no-op repro under 0.5 s.

DVC comes from its own venv (default /work/venv-dvc, created with `pip install dvc` if missing).

    python benchmarks/bench_repro.py [--stages 20] [--files 5000] [--repeat 7]
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

STAGE_SCRIPT = """\
import sys
from pathlib import Path

i = int(sys.argv[1])
files = sorted(Path(f"data/part_{i:02d}").iterdir())
previous = Path(f"out/stage_{i - 1:02d}.txt").read_text() if i else ""
total = sum(len(f.read_bytes()) for f in files)
Path("out").mkdir(exist_ok=True)
line = f"stage {i}: {len(files)} files, {total} bytes\\n"
Path(f"out/stage_{i:02d}.txt").write_text(previous + line)
"""


def pipeline_yaml(stages: int) -> str:
    lines = ["stages:"]
    for i in range(stages):
        lines += [
            f"  stage_{i:02d}:",
            f"    cmd: python stage.py {i}",
            "    deps:",
            "      - stage.py",
            f"      - data/part_{i:02d}",
        ]
        if i:
            lines.append(f"      - out/stage_{i - 1:02d}.txt")
        lines += ["    outs:", f"      - out/stage_{i:02d}.txt"]
    return "\n".join(lines) + "\n"


def make_project(root: Path, stages: int, files: int) -> None:
    per_stage = files // stages
    for i in range(stages):
        part = root / "data" / f"part_{i:02d}"
        part.mkdir(parents=True)
        for j in range(per_stage):
            (part / f"file_{j:04d}.txt").write_text(f"stage {i} row {j}\n" * (1 + j % 7))
    (root / "stage.py").write_text(STAGE_SCRIPT)


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{result.stdout}\n{result.stderr}")
    return result


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = run(cmd, cwd, env)
    return time.perf_counter() - started, result.stdout + result.stderr


def ensure_dvc(venv: Path) -> Path:
    dvc = venv / "bin" / "dvc"
    if not dvc.exists():
        print(f"creating {venv} with DVC (pip install dvc) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "dvc"], check=True)
    return dvc


def setup(work: Path, args: argparse.Namespace, env: dict[str, str], dvc: Path) -> None:
    nbvc_dir, dvc_dir = work / "nbvc", work / "dvc"
    for root, tool in ((nbvc_dir, "nbvc"), (dvc_dir, "dvc")):
        root.mkdir()
        make_project(root, args.stages, args.files)
        run(["git", "init", "-q", "."], root, env)
        text = pipeline_yaml(args.stages)
        (root / ("nbvc.yaml" if tool == "nbvc" else "dvc.yaml")).write_text(text)
    run([args.nbvc, "init", "-q"], nbvc_dir, env)
    run([str(dvc), "init", "-q"], dvc_dir, env)
    run([str(dvc), "config", "core.analytics", "false"], dvc_dir, env)
    for root, cmd in ((nbvc_dir, [args.nbvc, "repro"]), (dvc_dir, [str(dvc), "repro"])):
        started = time.perf_counter()
        run(cmd, root, env)
        print(f"first repro in {root.name}: {time.perf_counter() - started:.2f} s", flush=True)


def summary(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} [{min(times):.3f}-{max(times):.3f}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", type=int, default=20)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--dvc-venv", type=Path, default=Path("/work/venv-dvc"))
    parser.add_argument(
        "--nbvc", default=str(Path(sys.executable).with_name("nbvc")), help="nbvc executable"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    args = parser.parse_args()
    dvc = ensure_dvc(args.dvc_venv)
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # both tools run with their bytecode caches
    work = Path(tempfile.mkdtemp(prefix="nbvc-bench-repro-"))
    try:
        setup(work, args, env, dvc)
        nbvc_times, dvc_times, floor = [], [], []
        for _ in range(args.repeat):
            seconds, out = timed([args.nbvc, "repro"], work / "nbvc", env)
            assert f"{args.stages} skipped" in out, out
            nbvc_times.append(seconds)
            seconds, out = timed([str(dvc), "repro"], work / "dvc", env)
            assert "up to date" in out, out
            dvc_times.append(seconds)
            floor.append(timed([sys.executable, "-c", "pass"], work, env)[0])
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    ratio = statistics.median(nbvc_times) / statistics.median(dvc_times)
    print(f"no-op repro, {args.stages} stages, {args.files} dep files, {args.repeat} runs each")
    print(f"  nbvc repro: {summary(nbvc_times)} s   (target < 0.5 s)")
    print(f"  dvc repro:  {summary(dvc_times)} s")
    print(f"  python -c pass: {summary(floor)} s")
    print(f"  nbvc / dvc: {ratio:.3f}")
    print(
        json.dumps(
            {
                "scenario": "repro_noop",
                "stages": args.stages,
                "files": args.files,
                "nbvc_median_s": statistics.median(nbvc_times),
                "dvc_median_s": statistics.median(dvc_times),
                "ratio": ratio,
                "nbvc_runs_s": nbvc_times,
                "dvc_runs_s": dvc_times,
            }
        )
    )
    return 0 if statistics.median(nbvc_times) < 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
