"""Summaries of the measurements and the markdown report, with the facts needed to read it."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.measure import Measurement
from benchmarks.scenarios import Scenario

FLOOR = "floor"
REFERENCE = "nbvc"
RIVAL = "dvc"


@dataclass(frozen=True)
class Summary:
    median: float
    low: float
    high: float
    peak_rss_mib: float

    @classmethod
    def of(cls, runs: list[Measurement]) -> Summary:
        seconds = [m.seconds for m in runs]
        peak = max(m.max_rss_kib for m in runs) / 1024
        return cls(statistics.median(seconds), min(seconds), max(seconds), peak)

    def seconds(self) -> str:
        return f"{self.median:.2f} [{self.low:.2f}-{self.high:.2f}]"


@dataclass
class Results:
    """Measurements per scenario and per tool name (or :data:`FLOOR`)."""

    runs: dict[str, dict[str, list[Measurement]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def record(self, scenario: str, who: str, measurement: Measurement) -> None:
        self.runs[scenario][who].append(measurement)

    def summary(self, scenario: str, who: str) -> Summary | None:
        runs = self.runs.get(scenario, {}).get(who)
        return Summary.of(runs) if runs else None


def machine_facts(workdir: Path, probe_dir: Path) -> list[str]:
    cpus = len(os.sched_getaffinity(0))
    return [
        f"{cpus} CPUs ({_cpu_model()}), {_mem_total_gib():.1f} GiB RAM, Linux {platform.release()}",
        f"work folder {workdir} on {_fstype(workdir)} (reflink {_reflink(probe_dir)})",
        f"Python {platform.python_version()}",
    ]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def today() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _mem_total_gib() -> float:
    with open("/proc/meminfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _fstype(path: Path) -> str:
    best, kind = "", "unknown filesystem"
    target = str(path.resolve())
    with open("/proc/mounts", encoding="utf-8") as mounts:
        for line in mounts:
            _, point, fstype, *_ = line.split()
            inside = target == point or target.startswith(point.rstrip("/") + "/")
            if inside and len(point) >= len(best):
                best, kind = point, fstype
    return kind


def _reflink(probe_dir: Path) -> str:
    source, dest = probe_dir / "reflink-probe", probe_dir / "reflink-probe-copy"
    source.write_bytes(b"probe")
    done = subprocess.run(
        ["cp", "--reflink=always", str(source), str(dest)], capture_output=True, check=False
    )
    for path in (source, dest):
        path.unlink(missing_ok=True)
    return "supported" if done.returncode == 0 else "not supported"


def markdown(
    scenarios: list[Scenario], tools: list[tuple[str, str]], results: Results, facts: list[str]
) -> str:
    """The report: facts as a list, then one table row per scenario."""
    names = [name for name, _ in tools]
    labels = dict(tools)
    rivals = [n for n in names if n != REFERENCE] if REFERENCE in names else []
    header = ["scenario", *(f"{labels[n]} s" for n in names)]
    header += [f"{labels[r]}/{labels[REFERENCE]}" for r in rivals]
    header += ["target", *(f"{labels[n]} peak MiB" for n in names)]
    header += ["floor", "floor s", f"{labels[names[0]]}/floor"]
    rows = [_row(s, names, rivals, results) for s in scenarios]
    table = [_cells(header), _cells(["---"] * len(header)), *(_cells(r) for r in rows)]
    return "\n".join([*(f"- {fact}" for fact in facts), "", *table, ""])


def _row(scenario: Scenario, names: list[str], rivals: list[str], results: Results) -> list[str]:
    summaries = {n: results.summary(scenario.name, n) for n in names}
    floor = results.summary(scenario.name, FLOOR)
    first = summaries[names[0]]
    row = [f"{scenario.name}: {scenario.title}"]
    row += [s.seconds() if s else "-" for s in summaries.values()]
    ratios = {r: _ratio(summaries[r], summaries[REFERENCE]) for r in rivals}
    row += [f"{ratio:.1f}x" if ratio else "-" for ratio in ratios.values()]
    row.append(_verdict(scenario, ratios.get(RIVAL), summaries))
    row += [f"{s.peak_rss_mib:.0f}" if s else "-" for s in summaries.values()]
    row += [scenario.floor_title or "-", floor.seconds() if floor else "-"]
    floor_ratio = _ratio(first, floor)
    row.append(f"{floor_ratio:.1f}x" if floor_ratio else "-")
    return row


def _ratio(numerator: Summary | None, denominator: Summary | None) -> float | None:
    if numerator is None or denominator is None or denominator.median <= 0:
        return None
    return numerator.median / denominator.median


def _verdict(scenario: Scenario, ratio: float | None, summaries: dict[str, Summary | None]) -> str:
    """Time target (nbvc vs DVC, or nbvc's median under a time) and the memory target (nbvc's
    peak no higher than DVC's)."""
    parts = []
    ours, theirs = summaries.get(REFERENCE), summaries.get(RIVAL)
    target = scenario.target
    if target:
        met: bool | None = None
        if target.seconds is not None and ours is not None:
            met = ours.median < target.seconds
        elif target.speedup is not None and ratio is not None:
            met = ratio >= target.speedup
        verdict = "" if met is None else f": {'met' if met else '**MISSED**'}"
        parts.append(target.describe() + verdict)
    if ours and theirs:
        more = ours.peak_rss_mib > theirs.peak_rss_mib
        parts.append("memory: **MISSED**" if more else "memory: met")
    return "; ".join(parts) or "-"


def _cells(values: list[str]) -> str:
    return "| " + " | ".join(values) + " |"


def git_commit(repo_root: Path) -> str:
    """The commit of the checkout the benchmark runs from, marked ``+dirty`` if modified."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(repo_root), *args], capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short=10", "HEAD") or "unknown"
    return f"{commit}+dirty" if git("status", "--porcelain", "--untracked-files=no") else commit
