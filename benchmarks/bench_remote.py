"""Push and pull, nbvc vs DVC, to a local-folder remote and to a loopback S3 server (moto).

Stand-alone: ``python benchmarks/bench_remote.py [--scale 0.05] [--repeat 3]``. Data set A is
20,000 files of 4-64 KiB in nested folders (~690 MB), B one 2 GiB file; ``--scale`` shrinks
both for quick runs. Each repeat gives each tool its own project (the data hard-linked in, then
added, untimed) and, per remote kind, times: push A and push B to a fresh remote, a push with
nothing to send, then pull A and pull B into a fresh git clone (fetch + checkout, what `dvc pull`
does too). Every timed step starts after a `sync` (untimed), so no step pays for the write-back
of earlier ones, and tools alternate order between repeats. A plain `cp` of the same data is
timed in the same repeat as the floor. Prints medians [min-max] and the DVC/nbvc ratio, and
checks the targets: >= 3x faster than DVC on push and pull of A, never slower on B, no-op push
under 0.5 s.

DVC runs from its own venv (``--dvc``, default /work/venv-dvc; created with
``pip install dvc dvc-s3`` if missing). nbvc runs from the venv running this script.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from blake3 import blake3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.tools import DVC_REQUIREMENT

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
FILES_A, MIN_A, MAX_A = 20_000, 4 * KIB, 64 * KIB
SIZE_B = 2 * GIB
OPERATIONS = ("push A", "push B", "no-op push", "pull A", "pull B")
TOOLS = ("nbvc", "dvc")
BIG_COPY = 256 * MIB  # copies of B bigger than this are deleted after each repeat (disk space)
AWS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


# -- data -----------------------------------------------------------------------------------------
def make_data(data_dir: Path, scale: float, a_scale: float | None = None) -> tuple[Path, Path]:
    """Data sets A (``a_scale``, default ``scale``) and B (``scale``), generated once
    (incompressible, deterministic)."""
    files = max(10, int(FILES_A * (scale if a_scale is None else a_scale)))
    big = max(16 * MIB, int(SIZE_B * scale))
    a, b = data_dir / f"A-{files}", data_dir / f"B-{big}.bin"
    marker = data_dir / f"A-{files}.complete"
    if not marker.exists():
        shutil.rmtree(a, ignore_errors=True)
        rng = random.Random(1)
        for i in range(files):
            path = a / f"d{i % 20:02d}" / f"s{i // 20 % 20:02d}" / f"f{i:05d}.bin"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blake3(f"A:{i}".encode()).digest(length=rng.randint(MIN_A, MAX_A)))
        marker.touch()
    if not b.exists():
        tmp = b.with_suffix(".tmp")
        stream = blake3(b"B")
        with open(tmp, "wb") as handle:
            for offset in range(0, big, 64 * MIB):
                handle.write(stream.digest(length=min(64 * MIB, big - offset), seek=offset))
        tmp.rename(b)
    return a, b


def tree_summary(path: Path) -> tuple[int, int]:
    """(files, bytes) below ``path``, or of the file itself."""
    if path.is_file():
        return 1, path.stat().st_size
    count = size = 0
    for folder, _, names in os.walk(path):
        for name in names:
            count += 1
            size += os.lstat(os.path.join(folder, name)).st_size
    return count, size


# -- tools ----------------------------------------------------------------------------------------
@dataclass
class Tool:
    name: str
    exe: str
    meta: str  # the pointer/meta file suffix

    def init(self) -> list[list[str]]:
        if self.name == "dvc":
            return [
                [self.exe, "init", "-q"],
                [self.exe, "config", "core.analytics", "false"],
                [self.exe, "config", "core.check_update", "false"],
            ]
        return [[self.exe, "init", "-q"]]

    def add(self, *paths: str) -> list[str]:
        return [self.exe, "add", "-q", *paths] if self.name == "dvc" else [self.exe, "add", *paths]

    def add_remote(self, url: str, endpoint: str | None) -> list[list[str]]:
        if self.name == "dvc":
            cmds = [[self.exe, "remote", "add", "-f", "-d", "store", url]]
            if endpoint:
                cmds.append([self.exe, "remote", "modify", "store", "endpointurl", endpoint])
            return cmds
        options = ["-o", f"endpoint_url={endpoint}"] if endpoint else []
        return [[self.exe, "remote", "add", "store", url, "--default", *options]]

    def push(self, target: str | None) -> list[str]:
        if target is None:
            return [self.exe, "push", "-q"]
        return [self.exe, "push", "-q", target + self.meta if self.name == "dvc" else target]

    def pull(self, target: str) -> list[str]:
        return [self.exe, "pull", "-q", target + self.meta if self.name == "dvc" else target]


def tools(dvc_venv: Path) -> dict[str, Tool]:
    nbvc = Path(sys.executable).with_name("nbvc")
    dvc = dvc_venv / "bin" / "dvc"
    if not dvc.exists():
        subprocess.run([sys.executable, "-m", "venv", str(dvc_venv)], check=True)
    # the venv run.py made has DVC alone: its S3 remote needs the dvc-s3 plugin as well
    python = str(dvc_venv / "bin" / "python")
    has_s3 = subprocess.run([python, "-c", "import dvc_s3"], check=False).returncode == 0
    if not dvc.exists() or not has_s3:
        pip = str(dvc_venv / "bin" / "pip")
        subprocess.run([pip, "install", "-q", DVC_REQUIREMENT, "dvc-s3"], check=True)
    return {"nbvc": Tool("nbvc", str(nbvc), ".nbvc"), "dvc": Tool("dvc", str(dvc), ".dvc")}


# -- running and timing ---------------------------------------------------------------------------
@dataclass
class Bench:
    work: Path
    env: dict[str, str]
    results: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def timed(self, argv: list[str], cwd: Path) -> float:
        """Run a measured step, after writing back what earlier steps left in the page cache
        (otherwise a fast tool pays for the write-back of its own earlier, faster steps)."""
        os.sync()
        return self.run(argv, cwd)

    def run(self, argv: list[str], cwd: Path) -> float:
        started = time.perf_counter()
        done = subprocess.run(
            argv, cwd=cwd, env=self.env, capture_output=True, timeout=3600, check=False
        )
        took = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv)} failed in {cwd} ({done.returncode}):\n"
                f"{done.stdout.decode(errors='replace')}\n{done.stderr.decode(errors='replace')}"
            )
        return took

    def record(self, key: str, column: str, seconds: float) -> None:
        self.results.setdefault(key, {}).setdefault(column, []).append(seconds)
        print(f"  {key:<22} {column:<6} {seconds:8.2f} s", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def moto_server(log: Path, env: dict[str, str]) -> Iterator[str]:
    """A fresh moto S3 server on loopback (fresh storage each time)."""
    server = Path(sys.executable).with_name("moto_server")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=out, env=env
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(endpoint + "/", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"moto_server did not start; see {log}") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def make_bucket(endpoint: str, name: str) -> None:
    import s3fs

    s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True).mkdir(name)


# -- one repeat ---------------------------------------------------------------------------------
def project(bench: Bench, tool: Tool, home: Path, a: Path, b: Path) -> Path:
    """A git repo with A and B tracked by ``tool`` (hard links of the data, added untimed)."""
    path = home / "project"
    path.mkdir(parents=True)
    bench.run(["git", "init", "-q"], path)
    for argv in tool.init():
        bench.run(argv, path)
    bench.run(["cp", "-al", str(a), str(path / "data")], path)
    os.link(b, path / "big.bin")
    bench.run(tool.add("data", "big.bin"), path)
    bench.run(["git", "add", "-A"], path)
    bench.run(["git", "commit", "-q", "-m", "data"], path)
    return path


def remote_round(
    bench: Bench, tool: Tool, repo: Path, kind: str, endpoint: str | None, label: str
) -> None:
    """Push to a fresh remote of ``kind``, no-op push, then pull into a fresh clone."""
    if kind == "s3":
        assert endpoint is not None
        bucket = f"{tool.name}-{label}"
        make_bucket(endpoint, bucket)
        url = f"s3://{bucket}/store"
    else:
        url, endpoint = str(repo.parent / "remote-local"), None
    for argv in tool.add_remote(url, endpoint):
        bench.run(argv, repo)
    bench.run(["git", "add", "-A"], repo)
    bench.run(["git", "commit", "-q", "-m", f"remote {kind}"], repo)
    bench.record(f"{kind}: push A", tool.name, bench.timed(tool.push("data"), repo))
    bench.record(f"{kind}: push B", tool.name, bench.timed(tool.push("big.bin"), repo))
    bench.record(f"{kind}: no-op push", tool.name, bench.timed(tool.push(None), repo))
    clone = repo.parent / f"clone-{kind}"
    bench.run(["git", "clone", "-q", str(repo), str(clone)], repo.parent)
    bench.record(f"{kind}: pull A", tool.name, bench.timed(tool.pull("data"), clone))
    bench.record(f"{kind}: pull B", tool.name, bench.timed(tool.pull("big.bin"), clone))
    for name in ("data", "big.bin"):
        if tree_summary(clone / name) != tree_summary(repo / name):
            raise RuntimeError(f"{tool.name} pulled a different {name} into {clone}")
    drop_big_copies(repo.parent / f"clone-{kind}")  # disk space: few files, cheap to delete
    drop_big_copies(repo.parent / "remote-local")


def copy_floor(bench: Bench, a: Path, b: Path, home: Path) -> None:
    home.mkdir(parents=True)
    bench.record("local: push A", "cp", bench.timed(["cp", "-r", str(a), str(home / "A")], home))
    bench.record("local: push B", "cp", bench.timed(["cp", str(b), str(home / "B")], home))


def drop_big_copies(root: Path) -> None:
    """Delete the copies of B below ``root`` (the remote, clones and caches)."""
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if os.lstat(path).st_size > BIG_COPY:
                os.chmod(path, 0o644)
                os.unlink(path)


# -- report ---------------------------------------------------------------------------------------
def summary(values: list[float] | None) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]"


def report(bench: Bench, kinds: list[str]) -> list[str]:
    lines = [
        "| remote | operation | nbvc s | DVC s | DVC/nbvc | cp s |",
        "|---|---|---|---|---|---|",
    ]
    verdicts = []
    for kind in kinds:
        for op in OPERATIONS:
            row = bench.results.get(f"{kind}: {op}", {})
            nbvc, dvc = row.get("nbvc"), row.get("dvc")
            ratio = statistics.median(dvc) / statistics.median(nbvc) if nbvc and dvc else None
            ratio_text = f"{ratio:.1f}x" if ratio else "-"
            lines.append(
                f"| {kind} | {op} | {summary(nbvc)} | {summary(dvc)} | {ratio_text} | "
                f"{summary(row.get('cp'))} |"
            )
            verdicts += _verdict(kind, op, nbvc, ratio)
    return [*lines, "", *verdicts]


def _verdict(kind: str, op: str, nbvc: list[float] | None, ratio: float | None) -> list[str]:
    if op == "no-op push" and nbvc:
        median = statistics.median(nbvc)
        return [f"{'ok  ' if median < 0.5 else 'MISS'} {kind} no-op push {median:.2f} s < 0.5 s"]
    if ratio is None:
        return []
    target = 3.0 if op.endswith(" A") else 1.0
    mark = "ok  " if ratio >= target else "MISS"
    return [f"{mark} {kind} {op}: {ratio:.1f}x DVC's speed (target >= {target:.0f}x)"]


# -- main -----------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the data (0.05: quick)")
    parser.add_argument(
        "--a-scale", type=float, help="shrink A alone (0.05 with B at full size: a quick B run)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--remotes", default="local,s3", help="comma-separated: local, s3")
    parser.add_argument("--work", type=Path, default=Path("/tmp/remotes-bench"))
    parser.add_argument("--dvc", type=Path, default=Path("/work/venv-dvc"), help="DVC's venv")
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    parser.add_argument("--keep", action="store_true", help="keep the work folders")
    args = parser.parse_args()
    kinds = [k for k in args.remotes.split(",") if k]
    env = {
        **os.environ,
        **AWS,
        "DVC_NO_ANALYTICS": "1",
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@nbvc.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@nbvc.invalid",
    }
    os.environ.update(AWS)
    data_dir = args.work / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    a, b = make_data(data_dir, args.scale, args.a_scale)
    a_files, a_bytes = tree_summary(a)
    print(f"A: {a_files:,} files, {a_bytes / 1e6:,.0f} MB; B: {b.stat().st_size / GIB:.2f} GiB")
    by_name = tools(args.dvc)
    runs = args.work / f"runs-{os.getpid()}"
    bench = Bench(runs, env)
    try:
        for rep in range(args.repeat):
            order = TOOLS if rep % 2 == 0 else TOOLS[::-1]
            print(f"repeat {rep + 1}/{args.repeat} ({', '.join(order)})", flush=True)
            home = runs / f"r{rep}"
            home.mkdir(parents=True)
            with moto_server(runs / "moto.log", env) if "s3" in kinds else _no_server() as ep:
                copy_floor(bench, a, b, home / "cp")
                for name in order:
                    tool = by_name[name]
                    repo = project(bench, tool, home / name, a, b)
                    for kind in kinds:
                        remote_round(bench, tool, repo, kind, ep, f"r{rep}")
                    drop_big_copies(home / name)
            drop_big_copies(home)
    finally:
        lines = report(bench, kinds)
        print("\n".join(lines))
        if args.json:
            args.json.write_text(json.dumps(bench.results, indent=1))
        if not args.keep:
            shutil.rmtree(runs, ignore_errors=True)
    return 0


@contextmanager
def _no_server() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    sys.exit(main())
