"""A real Dask cluster for the tests: `dask scheduler` and `dask worker` processes on loopback,
each started in a folder of its own outside the project."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.remote.servers import free_port


@dataclass
class DaskCluster:
    address: str
    folders: list[Path]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes (not their nannies)."""
        from distributed import Client

        with Client(self.address, timeout="10s") as client:
            pids: dict[str, int] = client.run(os.getpid)
            return list(pids.values())

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def dask_command() -> str:
    found = shutil.which("dask", path=os.path.dirname(sys.executable))
    assert found, "the dask CLI is missing: pip install -e '.[dev]' installs dask and distributed"
    return found


def start_cluster(base: Path, workers: int = 2, env: dict[str, str] | None = None) -> DaskCluster:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    cluster = DaskCluster(address, [])
    run_env = {**os.environ, **(env or {})}
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE"):
        run_env.pop(name, None)

    def spawn(folder: Path, *args: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        cluster.folders.append(folder)
        with open(folder / "log.txt", "wb") as log:
            cluster.processes.append(
                subprocess.Popen(
                    [dask_command(), *args],
                    cwd=folder,
                    env=run_env,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            )

    try:
        spawn(base / "scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(port),
              "--no-dashboard")  # fmt: skip
        for number in range(workers):
            spawn(base / f"worker{number}", "worker", address, "--nworkers", "1",
                  "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1")  # fmt: skip
        _wait_for_workers(cluster, workers)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _wait_for_workers(cluster: DaskCluster, count: int) -> None:
    from distributed import Client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with Client(cluster.address, timeout="5s") as client:
                client.wait_for_workers(count, timeout=60)
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the Dask cluster did not start:\n" + _logs(cluster))


def _logs(cluster: DaskCluster) -> str:
    return "\n".join((f / "log.txt").read_text(errors="replace") for f in cluster.folders)
