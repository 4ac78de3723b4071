"""The state a benchmark run keeps: one repo per (tool, dataset), datasets, scratch space, logs.

Scenarios ask for the state they need (a fresh repo, a tracked dataset) and get it here, untimed.
Nothing big is deleted while timing goes on: creating files on this ext4 gets 10-25x slower for
minutes after many files are deleted, so big trees are moved aside and deleted at the very end.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.datasets import Dataset, materialize
from benchmarks.measure import Command, Measurement, run_measured
from benchmarks.tools import Tool

SMALL_TREE_FILES = 1000  # trees with fewer files than this are deleted at once, not moved aside


@dataclass
class Site:
    """One tool's repo holding one dataset at ``repo / dataset.target``."""

    repo: Path
    dataset: Dataset
    tracked: bool = False

    @property
    def data(self) -> Path:
        return self.repo / self.dataset.target


@dataclass
class Bench:
    run_dir: Path
    data_dir: Path
    seed: int
    env: dict[str, str]
    datasets: dict[str, Dataset]
    sites: dict[tuple[str, str], Site] = field(default_factory=dict)
    _serial: int = 0

    @property
    def log(self) -> Path:
        return self.run_dir / "commands.log"

    def dataset(self, name: str) -> Dataset:
        return self.datasets[name]

    def source(self, name: str) -> Path:
        """The pristine copy of a dataset (generated on first use)."""
        return materialize(self.datasets[name], self.data_dir, self.seed)

    def measure(self, command: Command) -> Measurement:
        """Time ``command``, starting with no dirty pages left over from the set-up."""
        os.sync()
        return run_measured(command, self.env, self.log)

    def run(self, argv: list[str], cwd: Path) -> None:
        """Run an untimed set-up command."""
        run_measured(Command(argv, cwd), self.env, self.log)

    def next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def scratch(self, label: str) -> Path:
        """A path that does not exist yet, for output that is moved aside when done."""
        return self.run_dir / "aside" / f"{label}-{self.next_serial()}"

    def move_aside(self, path: Path, label: str) -> None:
        dest = self.scratch(label)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.rename(path, dest)

    def retire(self, path: Path, label: str) -> None:
        """Get rid of a tree no longer needed: delete it if small, else move it aside."""
        if _count_files(path, SMALL_TREE_FILES) < SMALL_TREE_FILES:
            shutil.rmtree(path)
        else:
            self.move_aside(path, label)

    def fresh_site(self, tool: Tool, dataset: Dataset) -> Site:
        """A new repo of ``tool`` holding ``dataset``, untracked, with an empty cache.

        The dataset moves over from the previous repo (a rename: nothing is copied or deleted);
        the first repo gets a copy of the pristine dataset.
        """
        repo = self.run_dir / "repos" / f"{tool.name}-{dataset.name}-{self.next_serial()}"
        repo.mkdir(parents=True)
        for argv in tool.init(self.run_dir):
            self.run(argv, repo)
        previous = self.sites.get((tool.name, dataset.name))
        site = Site(repo, dataset)
        if previous is None:
            self.run(["cp", "-r", str(self.source(dataset.name)), str(site.data)], repo)
        else:
            os.rename(previous.data, site.data)
            self.retire(previous.repo, f"{tool.name}-{dataset.name}-repo")
        self.sites[(tool.name, dataset.name)] = site
        return site

    def tracked_site(self, tool: Tool, dataset: Dataset) -> Site:
        """The current repo of ``tool`` for ``dataset``, with the dataset added."""
        site = self.sites.get((tool.name, dataset.name)) or self.fresh_site(tool, dataset)
        if not site.tracked:
            self.run(tool.add(dataset.target), site.repo)
            site.tracked = True
        return site

    def cleanup(self) -> None:
        print(f"removing {self.run_dir} ...", file=sys.stderr)
        shutil.rmtree(self.run_dir)


def _count_files(path: Path, limit: int) -> int:
    count = 0
    for _, _, names in os.walk(path):
        count += len(names)
        if count >= limit:
            break
    return count
