"""Chunk-level dedup, nbvc vs DVC: ``python benchmarks/bench_chunks.py [--scale 0.1]``.

Two parts, each in one run with DVC and the floors side by side:

**checkpoint** - 7 versions of a 500 MiB checkpoint, each with 1% of its bytes rewritten in 5
contiguous regions at random offsets plus a 1 KiB insertion near the start. Each version is added
by nbvc and by DVC (timed); then versions 1-6 are pushed to a fresh folder remote (and to a moto
S3 bucket with ``--s3``), and the push of version 7 is timed with the bytes it added on the
remote (the remote's size before and after: what was written there). Reports the cache and remote
sizes against one version (target <= 1.15x; DVC: 7x) and the share of the file the 7th push sent
(target <= 5%).

**big file** - one 2 GiB file: `add` into an empty cache by nbvc with chunking (the default),
nbvc storing it whole (``chunk_min_size = 0``) and DVC, with the durable floor
(``dd conv=fsync``); `checkout` into an empty workspace (chunked vs whole); `pull` into a fresh
clone from a folder remote (chunked vs whole vs DVC). Targets: chunked add <= 1.3x whole and
>= 2x faster than DVC; checkout and pull <= 1.3x whole; peak memory of the chunked add < 300 MiB.

Medians [min-max] over ``--repeat`` runs; tools alternate order between repeats; `sync` runs
before every timed command.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from blake3 import blake3

from benchmarks.measure import Command, Measurement, run_measured
from benchmarks.report import load_average

MIB, GIB = 1 << 20, 1 << 30
CKPT = 500 * MIB
BIG = 2 * GIB
VERSIONS = 7
REGIONS = 5


# -- data ---------------------------------------------------------------------------------------
def checkpoint_versions(folder: Path | str, size: int, count: int, seed: int) -> list[Path]:
    """``count`` versions as files: each rewrites 1% of the previous one in 5 regions and
    inserts 1 KiB near the start. Kept on disk, not in memory: a child process forked while
    this one holds them would report their size as its peak memory."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    current = bytearray(blake3(f"ckpt:{seed}".encode()).digest(length=size))
    paths = []
    for number in range(1, count + 1):
        if number > 1:
            region = size // 100 // REGIONS
            for _ in range(REGIONS):
                at = rng.randrange(len(current) - region)
                current[at : at + region] = rng.randbytes(region)
            at = rng.randrange(1, 64 * 1024)
            current[at:at] = rng.randbytes(1024)
        paths.append(folder / f"v{number}.bin")
        paths[-1].write_bytes(current)
    del current
    return paths


def big_file(path: Path | str, size: int) -> Path:
    path = Path(path)
    if not path.exists() or path.stat().st_size != size:
        stream = blake3(b"big")
        with open(path, "wb") as handle:
            for offset in range(0, size, 64 * MIB):
                handle.write(stream.digest(length=min(64 * MIB, size - offset), seek=offset))
    return path


def tree_bytes(path: Path) -> int:
    if not path.exists():
        return 0
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            total += os.lstat(os.path.join(folder, name)).st_size
    return total


# -- running ------------------------------------------------------------------------------------
@dataclass
class Bench:
    work: Path
    env: dict[str, str]
    nbvc: str
    dvc: str
    times: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    peaks: dict[str, int] = field(default_factory=dict)  # KiB
    facts: dict[str, str] = field(default_factory=dict)

    def run(self, argv: list[str], cwd: Path) -> Measurement:
        return run_measured(Command(argv, cwd), self.env, self.work / "commands.log")

    def timed(self, key: str, who: str, argv: list[str], cwd: Path) -> float:
        os.sync()
        measured = self.run(argv, cwd)
        self.times.setdefault(key, {}).setdefault(who, []).append(measured.seconds)
        self.peaks[f"{key}/{who}"] = max(self.peaks.get(f"{key}/{who}", 0), measured.max_rss_kib)
        print(f"  {key:<28} {who:<11} {measured.seconds:7.2f} s", flush=True)
        return measured.seconds

    def project(self, tool: str, path: Path, whole: bool = False) -> Path:
        path.mkdir(parents=True)
        self.run(["git", "init", "-q"], path)
        if tool == "dvc":
            self.run([self.dvc, "init", "-q"], path)
            self.run([self.dvc, "config", "core.analytics", "false"], path)
            self.run([self.dvc, "config", "core.check_update", "false"], path)
            self.run([self.dvc, "config", "core.site_cache_dir", str(path / ".site")], path)
        else:
            self.run([self.nbvc, "init", "-q"], path)
            if whole:
                (path / ".nbvc" / "config.local").write_text("[cache]\nchunk_min_size = 0\n")
        self.commit(path)  # `dvc add` refuses a git repo without a commit
        return path

    def add(self, tool: str, target: str) -> list[str]:
        return [self.dvc, "add", "-q", target] if tool == "dvc" else [self.nbvc, "add", target]

    def remote(self, tool: str, repo: Path, url: str) -> None:
        if tool == "dvc":
            self.run([self.dvc, "remote", "add", "-f", "-d", "store", url], repo)
        else:
            self.run([self.nbvc, "remote", "add", "store", url, "--default"], repo)

    def commit(self, repo: Path) -> None:
        self.run(["git", "add", "-A"], repo)
        self.run(["git", "commit", "-q", "-m", "save"], repo)


def cache_dir(tool: str, repo: Path) -> Path:
    return repo / (".dvc/cache" if tool == "dvc" else ".nbvc/cache")


# -- the checkpoint -----------------------------------------------------------------------------
def in_child(function: str, *args: object) -> None:
    """Run a data generator of this module in a child process, so that this process stays
    small: a command it starts later would count this process's peak memory as its own (the
    kernel hands a child that was forked, then exec'd, its parent's high-water mark)."""
    code = f"from benchmarks.bench_chunks import {function}; {function}(*{args!r})"
    root = str(Path(__file__).resolve().parent.parent)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def checkpoint(bench: Bench, size: int, tools: list[str]) -> None:
    folder = bench.work / "ckpt-data"
    in_child("checkpoint_versions", str(folder), size, VERSIONS, 1)
    versions = [folder / f"v{n}.bin" for n in range(1, VERSIONS + 1)]
    for tool in tools:
        repo = bench.project(tool, bench.work / f"ckpt-{tool}")
        path = repo / "ckpt.bin"
        for number, content in enumerate(versions, 1):
            shutil.copyfile(content, path)
            bench.timed(f"ckpt add v{number}", tool, bench.add(tool, "ckpt.bin"), repo)
            if number == VERSIONS - 1:
                bench.facts[f"{tool} cache after 6"] = str(tree_bytes(cache_dir(tool, repo)))
        bench.facts[f"{tool} cache"] = str(tree_bytes(cache_dir(tool, repo)))
        _push_versions(bench, tool, repo, versions)


def _push_versions(bench: Bench, tool: str, repo: Path, versions: list[Path]) -> None:
    """Push versions 1-6 (untimed), then version 7 (timed, with the bytes it added remotely)."""
    store = bench.work / f"ckpt-{tool}-remote"
    bench.remote(tool, repo, str(store))
    path = repo / "ckpt.bin"
    for content in versions[:-1]:
        shutil.copyfile(content, path)
        bench.run(bench.add(tool, "ckpt.bin"), repo)
        push = [bench.dvc, "push", "-q"] if tool == "dvc" else [bench.nbvc, "push"]
        bench.run(push, repo)
    before = tree_bytes(store)
    shutil.copyfile(versions[-1], path)
    bench.run(bench.add(tool, "ckpt.bin"), repo)
    push = [bench.dvc, "push", "-q"] if tool == "dvc" else [bench.nbvc, "push"]
    bench.timed("ckpt push v7", tool, push, repo)
    bench.facts[f"{tool} remote"] = str(tree_bytes(store))
    bench.facts[f"{tool} push v7 bytes"] = str(tree_bytes(store) - before)


# -- the big file -------------------------------------------------------------------------------
KINDS = ("nbvc", "nbvc-whole", "dvc")


def big(bench: Bench, size: int, repeat: int, tools: list[str]) -> None:
    source = bench.work.parent / f"big-{size}.bin"
    in_child("big_file", str(source), size)
    kinds = [k for k in KINDS if k != "dvc" or "dvc" in tools]
    for rep in range(repeat):
        order = kinds if rep % 2 == 0 else kinds[::-1]
        home = bench.work / f"big-{rep}"
        home.mkdir()
        floor = home / "floor.bin"
        bench.timed(
            "add 2 GiB (cold)",
            "floor",
            ["dd", f"if={source}", f"of={floor}", "bs=64M", "conv=fsync", "status=none"],
            home,
        )
        floor.unlink()
        for kind in order:
            tool = "dvc" if kind == "dvc" else "nbvc"
            repo = bench.project(tool, home / kind, whole=kind == "nbvc-whole")
            os.link(source, repo / "big.bin")
            bench.timed("add 2 GiB (cold)", kind, bench.add(tool, "big.bin"), repo)
            if tool == "nbvc":
                os.rename(repo / "big.bin", home / f"{kind}-aside.bin")
                bench.timed("checkout 2 GiB", kind, [bench.nbvc, "checkout", "big.bin"], repo)
            _pull(bench, kind, tool, repo, home, size)
            shutil.rmtree(repo, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


def _pull(bench: Bench, kind: str, tool: str, repo: Path, home: Path, size: int) -> None:
    store = home / f"{kind}-remote"
    bench.remote(tool, repo, str(store))
    bench.commit(repo)
    bench.run([bench.dvc, "push", "-q"] if tool == "dvc" else [bench.nbvc, "push"], repo)
    clone = home / f"{kind}-clone"
    bench.run(["git", "clone", "-q", str(repo), str(clone)], home)
    if kind == "nbvc-whole":
        (clone / ".nbvc" / "config.local").write_text("[cache]\nchunk_min_size = 0\n")
    pull = [bench.dvc, "pull", "-q"] if tool == "dvc" else [bench.nbvc, "pull"]
    bench.timed("pull 2 GiB (folder)", kind, pull, clone)
    if (clone / "big.bin").stat().st_size != size:
        raise RuntimeError(f"{kind} pulled a different file into {clone}")
    shutil.rmtree(clone, ignore_errors=True)
    shutil.rmtree(store, ignore_errors=True)


# -- report -------------------------------------------------------------------------------------
def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]"


def med(bench: Bench, key: str, who: str) -> float | None:
    values = bench.times.get(key, {}).get(who)
    return statistics.median(values) if values else None


def report(bench: Bench, size: int, big_size: int, tools: list[str]) -> list[str]:
    lines = []
    if "nbvc cache" in bench.facts:
        one = size
        lines += [
            f"### Checkpoint: {VERSIONS} versions of {size / MIB:.0f} MiB",
            "",
            "| | nbvc | DVC | target |",
            "|---|---|---|---|",
        ]
        rows = [
            ("cache after 7 versions", "cache"),
            ("folder remote after 7 versions", "remote"),
        ]
        for label, key in rows:
            n = int(bench.facts[f"nbvc {key}"])
            d = int(bench.facts.get(f"dvc {key}", 0))
            mark = "met" if n <= 1.15 * one else "**MISSED**"
            lines.append(
                f"| {label} | {n / MIB:.0f} MiB ({n / one:.2f}x one version) | "
                f"{d / MIB:.0f} MiB ({d / one:.2f}x) | <= 1.15x: {mark} |"
            )
        n7 = int(bench.facts["nbvc push v7 bytes"])
        d7 = int(bench.facts.get("dvc push v7 bytes", 0))
        mark = "met" if n7 <= 0.05 * one else "**MISSED**"
        lines.append(
            f"| push of v7, bytes added on the remote | {n7 / MIB:.1f} MiB ({n7 / one:.1%}) | "
            f"{d7 / MIB:.0f} MiB ({d7 / one:.0%}) | <= 5%: {mark} |"
        )
        for key in ("ckpt add v1", "ckpt add v7", "ckpt push v7"):
            row = bench.times.get(key, {})
            lines.append(
                f"| {key} (s) | {summary(row['nbvc'])} | "
                f"{summary(row['dvc']) if 'dvc' in row else '-'} | |"
            )
        lines.append("")
    if "add 2 GiB (cold)" in bench.times:
        lines += [
            f"### One {big_size / GIB:.2f} GiB file",
            "",
            "| operation | nbvc (chunked) s | nbvc (whole) s | DVC s | floor s | ratios |",
            "|---|---|---|---|---|---|",
        ]
        for key in ("add 2 GiB (cold)", "checkout 2 GiB", "pull 2 GiB (folder)"):
            row = bench.times.get(key, {})
            cells = [summary(row[k]) if k in row else "-" for k in (*KINDS, "floor")]
            lines.append(f"| {key} | {' | '.join(cells)} | {_ratios(bench, key)} |")
        peak = bench.peaks.get("add 2 GiB (cold)/nbvc", 0) / 1024
        mark = "met" if peak < 300 else "**MISSED**"
        lines.append(f"\nPeak memory of the chunked add: {peak:.0f} MiB (target < 300 MiB: {mark})")
    return lines


def _ratios(bench: Bench, key: str) -> str:
    chunked, whole = med(bench, key, "nbvc"), med(bench, key, "nbvc-whole")
    dvc, floor = med(bench, key, "dvc"), med(bench, key, "floor")
    parts = []
    if chunked and whole:
        mark = "met" if chunked <= 1.3 * whole else "**MISSED**"
        parts.append(f"chunked/whole {chunked / whole:.2f}x (<= 1.3x: {mark})")
    if chunked and dvc:
        target = 2.0 if key.startswith("add") else 1.0
        mark = "met" if dvc / chunked >= target else "**MISSED**"
        parts.append(f"DVC/chunked {dvc / chunked:.1f}x (>= {target:g}x: {mark})")
    if chunked and floor:
        parts.append(
            f"chunked/floor {chunked / floor:.2f}x, whole/floor {(whole or 0) / floor:.2f}x"
        )
    return "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the files (0.1: quick)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the big-file part")
    parser.add_argument("--parts", default="checkpoint,big", help="checkpoint, big")
    parser.add_argument("--work", type=Path, default=Path("/tmp/chunks-bench"))
    parser.add_argument("--dvc", type=Path, default=Path("/work/venv-dvc"), help="DVC's venv")
    parser.add_argument("--no-dvc", action="store_true", help="nbvc only")
    args = parser.parse_args()
    parts = [p for p in args.parts.split(",") if p]
    tools = ["nbvc"] if args.no_dvc else ["nbvc", "dvc"]
    size = max(8 * MIB, int(CKPT * args.scale))
    big_size = max(16 * MIB, int(BIG * args.scale))
    work = args.work / f"run-{os.getpid()}"
    work.mkdir(parents=True)
    env = {
        **os.environ,
        "DVC_NO_ANALYTICS": "1",
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@nbvc.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@nbvc.invalid",
    }
    nbvc = str(Path(sys.executable).with_name("nbvc"))
    bench = Bench(work, env, nbvc, str(args.dvc / "bin" / "dvc"))
    started = load_average()
    began = time.monotonic()
    try:
        if "checkpoint" in parts:
            checkpoint(bench, size, tools)
        if "big" in parts:
            big(bench, big_size, args.repeat, tools)
    finally:
        lines = report(bench, size, big_size, tools)
        print("\n".join(lines))
        print(
            f"\nload average at start {started}, at end {load_average()}; "
            f"{time.monotonic() - began:.0f} s"
        )
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
