"""The scenarios, in a registry: a new scenario is one decorated function.

A scenario function gets the run's :class:`Bench` and one tool, puts the state it needs in place
(untimed) and returns the one command to time. An optional floor returns a command that does the
least work any tool could (copy the data, stat every file) so results can be read against what
this machine can do at all in the same minute.

Later scenarios (push/pull to a folder or loopback S3 remote, a no-op ``repro`` of a pipeline)
register the same way, adding what they need to :class:`benchmarks.tools.Tool`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bench import Bench
from benchmarks.datasets import ManySmallFiles
from benchmarks.measure import Command
from benchmarks.tools import Tool

Prepare = Callable[[Bench, Tool], Command]
Floor = Callable[[Bench], Command]


@dataclass(frozen=True)
class Target:
    """nbvc should be at least ``speedup`` times faster than DVC, or take under ``seconds``."""

    speedup: float | None = None
    seconds: float | None = None

    def describe(self) -> str:
        if self.seconds is not None:
            return f"< {self.seconds:g} s"
        return "never slower" if self.speedup == 1 else f">= {self.speedup:g}x"


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    prepare: Prepare
    floor: Floor | None
    floor_title: str
    target: Target | None


SCENARIOS: dict[str, Scenario] = {}


def scenario(
    name: str,
    title: str,
    *,
    floor: tuple[str, Floor] | None = None,
    target: float | None = None,
    under: float | None = None,
) -> Callable[[Prepare], Prepare]:
    """Register the decorated function as scenario ``name`` (run in registration order);
    ``target`` is a speed-up over DVC, ``under`` a time in seconds."""

    def register(prepare: Prepare) -> Prepare:
        if name in SCENARIOS:
            raise ValueError(f"scenario {name} registered twice")
        floor_title, floor_fn = floor if floor else ("", None)
        wanted = Target(target, under) if target or under else None
        SCENARIOS[name] = Scenario(name, title, prepare, floor_fn, floor_title, wanted)
        return prepare

    return register


# Floors ---------------------------------------------------------------------------------------

STAT_WALK = Path(__file__).with_name("stat_walk.py")


def _copy_floor(dataset: str) -> tuple[str, Floor]:
    def floor(bench: Bench) -> Command:
        source = bench.source(dataset)
        dest = bench.scratch(f"floor-copy-{dataset}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        return Command(["cp", "-r", str(source), str(dest)], dest.parent)

    return (f"`cp -r {dataset}`", floor)


def _durable_copy_floor(dataset: str) -> tuple[str, Floor]:
    """A copy made durable, as nbvc makes its objects: `cp -r` then `sync` for a folder,
    `dd conv=fsync` for a file (`cp` alone leaves the data in the page cache)."""

    def floor(bench: Bench) -> Command:
        source = bench.source(dataset)
        dest = bench.scratch(f"floor-durable-{dataset}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            script = 'cp -r "$1" "$2" && sync'
            return Command(["sh", "-c", script, "sh", str(source), str(dest)], dest.parent)
        argv = ["dd", f"if={source}", f"of={dest}", "bs=64M", "conv=fsync", "status=none"]
        return Command(argv, dest.parent)

    title = f"`cp -r {dataset}` + `sync`" if dataset == "A" else f"`dd conv=fsync` of {dataset}"
    return (title, floor)


def _stat_floor(dataset: str) -> tuple[str, Floor]:
    def floor(bench: Bench) -> Command:
        source = bench.source(dataset)
        return Command([sys.executable, str(STAT_WALK), str(source)], source.parent)

    return (f"Python stat walk of {dataset}", floor)


def _python_floor() -> tuple[str, Floor]:
    def floor(bench: Bench) -> Command:
        return Command([sys.executable, "-c", "pass"], bench.run_dir)

    return ("`python -c pass`", floor)


# Scenarios ------------------------------------------------------------------------------------


@scenario("version", "`--version`", floor=_python_floor(), under=0.1)
def version(bench: Bench, tool: Tool) -> Command:
    return Command([str(tool.exe), "--version"], bench.run_dir)


@scenario("help", "`--help` (lists every command)", floor=_python_floor(), under=0.15)
def help_text(bench: Bench, tool: Tool) -> Command:
    return Command([str(tool.exe), "--help"], bench.run_dir)


@scenario("status-empty", "status in an empty repo", floor=_python_floor(), under=0.15)
def status_empty(bench: Bench, tool: Tool) -> Command:
    repo = bench.run_dir / "repos" / f"{tool.name}-empty"
    if not repo.exists():
        repo.mkdir(parents=True)
        for argv in tool.init(bench.run_dir):
            bench.run(argv, repo)
    return Command(tool.status(), repo)


@scenario("add-A-cold", "add A, empty cache", floor=_durable_copy_floor("A"), target=3)
def add_a_cold(bench: Bench, tool: Tool) -> Command:
    a = bench.dataset("A")
    site = bench.fresh_site(tool, a)
    site.tracked = True
    return Command(tool.add(a.target), site.repo)


@scenario("status-A", "status, nothing changed", floor=_stat_floor("A"), target=8)
def status_a(bench: Bench, tool: Tool) -> Command:
    site = bench.tracked_site(tool, bench.dataset("A"))
    return Command(tool.status(), site.repo)


@scenario("add-A-one-change", "add A again, 1 file changed", floor=_stat_floor("A"), target=4)
def add_a_one_change(bench: Bench, tool: Tool) -> Command:
    a = bench.dataset("A")
    assert isinstance(a, ManySmallFiles)
    site = bench.tracked_site(tool, a)
    a.change_one_file(site.data, bench.seed, bench.next_serial())
    return Command(tool.add(a.target), site.repo)


@scenario("add-A-no-change", "add A again, nothing changed", floor=_stat_floor("A"))
def add_a_no_change(bench: Bench, tool: Tool) -> Command:
    a = bench.dataset("A")
    site = bench.tracked_site(tool, a)
    return Command(tool.add(a.target), site.repo)


@scenario(
    "checkout-A-copy",
    "checkout A by copy into an empty workspace",
    floor=_copy_floor("A"),
    target=1,
)
def checkout_a_copy(bench: Bench, tool: Tool) -> Command:
    a = bench.dataset("A")
    site = bench.tracked_site(tool, a)
    bench.move_aside(site.data, f"{tool.name}-checkout-A")
    return Command(tool.checkout(a.target), site.repo)


@scenario(
    "add-B-cold", "add B (one big file), empty cache", floor=_durable_copy_floor("B"), target=3
)
def add_b_cold(bench: Bench, tool: Tool) -> Command:
    b = bench.dataset("B")
    site = bench.fresh_site(tool, b)
    site.tracked = True
    return Command(tool.add(b.target), site.repo)


@scenario("add-B-no-change", "add B again, nothing changed", floor=_stat_floor("B"))
def add_b_no_change(bench: Bench, tool: Tool) -> Command:
    b = bench.dataset("B")
    site = bench.tracked_site(tool, b)
    return Command(tool.add(b.target), site.repo)


def select(names: list[str] | None) -> list[Scenario]:
    """The scenarios named (all when ``names`` is empty), in registry order."""
    if not names:
        return list(SCENARIOS.values())
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise KeyError(", ".join(unknown))
    return [s for s in SCENARIOS.values() if s.name in names]
