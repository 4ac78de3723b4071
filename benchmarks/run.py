"""Benchmark nbvc side by side with DVC: ``python benchmarks/run.py --help``.

Generates dataset A (20,000 files of 4-64 KiB in nested folders) and B (one 2 GiB file), then
times each scenario for every tool in turn (nbvc, DVC, nbvc, DVC, ...) plus a floor command, as
subprocesses timed from the outside. Prints a markdown table; ``--out`` also writes it to a file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench import Bench
from benchmarks.datasets import DATASETS, Dataset
from benchmarks.report import (
    FLOOR,
    Results,
    git_commit,
    load_average,
    machine_facts,
    markdown,
    today,
)
from benchmarks.scenarios import SCENARIOS, Scenario, select
from benchmarks.tools import TOOL_NAMES, Tool, make_tools

WORKDIR_MARKER = ".nbvc-bench"
REPO_ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the dataset sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each scenario and tool")
    parser.add_argument("--only", type=_names, default=[], help="comma-separated scenarios")
    parser.add_argument("--tools", type=_names, default=list(TOOL_NAMES), help="default nbvc,dvc")
    parser.add_argument("--out", type=Path, help="also write the markdown report here")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-nbvc"))
    parser.add_argument("--dvc-venv", type=Path, default=Path("/work/venv-dvc"))
    parser.add_argument("--seed", type=int, default=0, help="dataset content and sizes")
    parser.add_argument(
        "--keep-data", action="store_true", help="keep the generated datasets for the next run"
    )
    parser.add_argument("--keep", action="store_true", help="keep repos and logs for inspection")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.repeat < 1:
        parser.error("--scale must be > 0 and --repeat >= 1")
    if unknown := [t for t in args.tools if t not in TOOL_NAMES]:
        parser.error(f"unknown tool {', '.join(unknown)}; choose from {', '.join(TOOL_NAMES)}")
    if unknown := [s for s in args.only if s not in SCENARIOS]:
        parser.error(f"unknown scenario {', '.join(unknown)}; see --list")
    return args


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for scenario in SCENARIOS.values():
            print(f"{scenario.name}\t{scenario.title}")
        return 0
    tools = make_tools(args.tools, args.dvc_venv)
    run_dir = _make_run_dir(args.workdir)
    datasets: dict[str, Dataset] = {name: d.scaled(args.scale) for name, d in DATASETS.items()}
    bench = Bench(run_dir, args.workdir / "data", args.seed, _tool_env(), datasets)
    scenarios = select(args.only)
    started = load_average()
    try:
        for tool in tools:
            bench.run(tool.precompile(), run_dir)
        results = run_all(bench, scenarios, tools, args.repeat)
        facts = _facts(args, tools, datasets, bench, started)
    finally:
        if not args.keep:
            bench.cleanup()
            if not args.keep_data:
                shutil.rmtree(args.workdir / "data", ignore_errors=True)
                _remove_workdir_if_ours(args.workdir)
    text = markdown(scenarios, [(t.name, t.label) for t in tools], results, facts)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


def run_all(bench: Bench, scenarios: list[Scenario], tools: list[Tool], repeat: int) -> Results:
    """Each scenario ``repeat`` times; within a repeat every tool in turn, then the floor."""
    results = Results()
    for scenario in scenarios:
        for attempt in range(1, repeat + 1):
            for tool in tools:
                measurement = bench.measure(scenario.prepare(bench, tool))
                results.record(scenario.name, tool.name, measurement)
                _progress(scenario, attempt, repeat, tool.name, measurement.seconds)
            if scenario.floor:
                measurement = bench.measure(scenario.floor(bench))
                results.record(scenario.name, FLOOR, measurement)
                _progress(scenario, attempt, repeat, FLOOR, measurement.seconds)
    return results


def _progress(scenario: Scenario, attempt: int, repeat: int, who: str, seconds: float) -> None:
    print(f"{scenario.name} {attempt}/{repeat} {who}: {seconds:.2f} s", file=sys.stderr)


def _tool_env() -> dict[str, str]:
    """The environment every command runs with: a user's, without analytics, prompts or pagers."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "DVC_NO_ANALYTICS": "1", "GIT_TERMINAL_PROMPT": "0", "PAGER": "cat"}


def _make_run_dir(workdir: Path) -> Path:
    """A fresh folder for this run inside ``workdir``, refusing a folder that is not ours."""
    if workdir.exists() and any(workdir.iterdir()) and not (workdir / WORKDIR_MARKER).exists():
        raise SystemExit(f"{workdir} exists and was not made by this benchmark; pick --workdir")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / WORKDIR_MARKER).touch()
    run_dir = workdir / f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    run_dir.mkdir()
    return run_dir


def _remove_workdir_if_ours(workdir: Path) -> None:
    leftovers = [p for p in workdir.iterdir() if p.name != WORKDIR_MARKER]
    if not leftovers:
        shutil.rmtree(workdir)


def _facts(
    args: argparse.Namespace,
    tools: list[Tool],
    datasets: dict[str, Dataset],
    bench: Bench,
    load_at_start: str,
) -> list[str]:
    versions = ", ".join(f"{t.label} {t.version()}" for t in tools)
    data = "; ".join(f"{name} = {d.describe(args.seed)}" for name, d in datasets.items())
    order = ", ".join(t.label for t in tools)
    return [
        f"date: {today()}",
        *machine_facts(args.workdir, bench.run_dir),
        f"load average (1, 5, 15 min) at start: {load_at_start}; at end: {load_average()}",
        f"{versions}; nbvc commit {git_commit(REPO_ROOT)}",
        f"datasets (scale {args.scale:g}, seed {args.seed}): {data}",
        f"each scenario {args.repeat} times, in turn: {order}, floor; seconds are median "
        "[min-max] wall time of the whole command (interpreter start-up included); peak MiB "
        "is the largest resident set over the runs (the command and any child it waited for)",
        "datasets are in the page cache; `sync` runs before every timed command; both tools "
        "are byte-compiled and use their default link types (reflink, else copy)",
    ]


if __name__ == "__main__":
    sys.exit(main())
