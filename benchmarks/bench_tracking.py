"""Tracking speed, side by side with MLflow (issue 15's targets).

1. ``log_metric`` with steps, N calls in one run (target: 10,000 in < 0.5 s), for nbvc and for
   MLflow's local file store and SQLite store, each in a fresh process, timed from the first
   call to the run's end. Imports are timed apart, the same for both: ``import mlflow`` loads
   its tracking API up front, ``import nbvc`` on first use (``from nbvc import start_run``).
2. Run search (``runs --filter`` in MLflow's syntax) over R runs (target: 10,000 in < 0.3 s),
   through the engine and through the CLI end to end (``python -m nbvc.cli.main``).
3. ``load_model`` of an S MiB scikit-learn model against ``pickle.load`` of the same file
   (target: within 1.2x), alternating, medians; the first load (which hashes the object) is
   reported apart.
4. ``nbvc.autolog()`` overhead on a scikit-learn fit of about one second (target: < 5 %): the
   ``fit`` call (wall time, and CPU time of the calling thread, which a loaded machine blurs
   less), and ``fit`` plus the end of its run (which waits for the training metrics and the
   model that autolog logs on the run's thread), each against the same without autolog.

    python benchmarks/bench_tracking.py [--metrics 10000] [--runs 10000] [--model-mib 100]
        [--repeat 5] [--skip log search load autolog] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.report import load_average

LOG_NBVC = """
import sys, time
began = time.perf_counter()
import nbvc
from nbvc import log_metric, start_run
imported = time.perf_counter() - began
n = int(sys.argv[1])
start = time.perf_counter()
with start_run():
    for i in range(n):
        log_metric("loss", 1.0 / (i + 1), step=i)
print(imported, time.perf_counter() - start)
"""
LOG_MLFLOW = """
import sys, time, warnings
warnings.simplefilter("ignore")
began = time.perf_counter()
import mlflow
imported = time.perf_counter() - began
mlflow.set_tracking_uri(sys.argv[2])
mlflow.set_experiment("bench")
n = int(sys.argv[1])
start = time.perf_counter()
with mlflow.start_run():
    for i in range(n):
        mlflow.log_metric("loss", 1.0 / (i + 1), step=i)
print(imported, time.perf_counter() - start)
"""


def child(
    code: str, cwd: str, *args: str, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Run ``code``; its last line says how long its imports and its timed part took."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    imported, took = done.stdout.strip().splitlines()[-1].split()
    return float(imported), float(took)


def fresh_repo(parent: str, name: str) -> str:
    from nbvc.core import Repo

    root = os.path.join(parent, name)
    os.makedirs(root)
    Repo.init(root)[0].close()
    return root


def bench_logging(work: str, n: int, repeat: int, sqlite: bool = True) -> dict[str, Any]:
    tools = ["nbvc", "mlflow file store"] + (["mlflow sqlite"] if sqlite else [])
    times: dict[str, list[float]] = {tool: [] for tool in tools}
    imports: dict[str, list[float]] = {tool: [] for tool in tools}
    for i in range(repeat):  # alternate so drift hits every tool alike
        root = fresh_repo(work, f"log-{i}")
        store = f"file://{root}/mlruns"
        runs = {
            "nbvc": (LOG_NBVC, (str(n),), None),
            "mlflow file store": (
                LOG_MLFLOW,
                (str(n), store),
                {"MLFLOW_ALLOW_FILE_STORE": "true"},
            ),
            # its first use creates the schema (alembic): seconds, excluded from timing
            "mlflow sqlite": (LOG_MLFLOW, (str(n), f"sqlite:///{root}/m.db"), None),
        }
        for tool in tools:
            code, args, env = runs[tool]
            imported, took = child(code, root, *args, env=env)
            imports[tool].append(imported)
            times[tool].append(took)
    return {
        **{tool: summary(values) for tool, values in times.items()},
        "imports": {tool: summary(values) for tool, values in imports.items()},
    }


def bench_search(work: str, runs: int, repeat: int) -> dict[str, Any]:
    from nbvc.core import Repo, RunRecord, RunStatus
    from nbvc.core.runs.run_index import RunIndex

    root = fresh_repo(work, "search")
    with Repo.open(root) as repo:
        index = RunIndex(repo)
        for i in range(runs):
            record = RunRecord(
                f"{1_700_000_000_000_000_000 + i:016x}-{i:08x}",
                source="python",
                status=RunStatus.COMPLETED if i % 7 else RunStatus.FAILED,
                started=1_700_000_000.0 + i,
                name=f"run-{i}",
                tags={"stage": "prod" if i % 3 == 0 else "dev"},
                params={"logged": {"model": "rf" if i % 2 else "gb", "lr": (i % 10) / 10}},
                metrics={"logged": {"accuracy": (i % 1000) / 1000, "loss": 1 - (i % 1000) / 1000}},
            )
            repo.records.write("runs", record.to_record())
            index.add(record)
    text = "metrics.accuracy > 0.9 and params.model = 'rf' and tags.stage = 'prod'"
    engine, cli = [], []
    matched = 0
    for _ in range(repeat):
        with Repo.open(root) as repo:
            start = time.perf_counter()
            matched = len(repo.runs.search(text, "accuracy"))
            engine.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nbvc.cli.main", "runs", "--filter", text, "-n", "20"],
            cwd=root,
            capture_output=True,
            check=True,
        )
        cli.append(time.perf_counter() - start)
    return {
        "runs": runs,
        "matched": matched,
        "engine": summary(engine),
        "cli end to end": summary(cli),
    }


def big_model(mib: int) -> Any:
    import numpy as np
    from sklearn.neighbors import KNeighborsClassifier

    rows = mib * 1024 * 1024 // (8 * 16)
    X = np.random.default_rng(0).random((rows, 16))
    return KNeighborsClassifier(algorithm="brute").fit(X, np.arange(rows) % 2)


def bench_load(work: str, mib: int, repeat: int) -> dict[str, Any]:
    import nbvc
    from nbvc.core import Repo

    root = fresh_repo(work, "load")
    model = big_model(mib)
    with nbvc.start_run(root):
        version = nbvc.log_model(model, "big")
    with Repo.open(root) as repo:
        path = repo.odb.path(version.oid)
    del model
    start = time.perf_counter()
    nbvc.load_model("big", root)  # the first load hashes the object; later ones trust its stat
    first = time.perf_counter() - start
    plain, nbvc_times, always = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        with open(path, "rb") as handle:
            pickle.load(handle)
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        nbvc.load_model("big", root)
        nbvc_times.append(time.perf_counter() - start)
        os.environ["NBVC_VERIFY_MODELS"] = "always"
        try:
            start = time.perf_counter()
            nbvc.load_model("big", root)
            always.append(time.perf_counter() - start)
        finally:
            del os.environ["NBVC_VERIFY_MODELS"]
    return {
        "size_mib": round(version.size / 2**20, 1),
        "pickle.load": summary(plain),
        "nbvc.load_model, first load (hashes)": round(first, 4),
        "nbvc.load_model": summary(nbvc_times),
        "nbvc.load_model, hashing every load": summary(always),
        "ratio": round(statistics.median(nbvc_times) / statistics.median(plain), 3),
        "ratio hashing every load": round(statistics.median(always) / statistics.median(plain), 3),
    }


def bench_autolog(work: str, repeat: int) -> dict[str, Any]:
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier

    import nbvc

    root = fresh_repo(work, "autolog")
    X, y = make_classification(n_samples=4000, n_features=20, random_state=0)
    trees = 10
    while True:  # about one second of fit on this machine
        start = time.perf_counter()
        RandomForestClassifier(n_estimators=trees, random_state=0).fit(X, y)
        took = time.perf_counter() - start
        if took > 0.8 or trees > 5000:
            break
        trees = int(trees * max(1.2, 1.0 / max(took, 0.01)))
    fit: dict[bool, list[float]] = {False: [], True: []}  # autolog on? -> fit call
    cpu: dict[bool, list[float]] = {False: [], True: []}  # the fit call's thread's CPU time
    whole: dict[bool, list[float]] = {False: [], True: []}  # fit and the run's end
    for _ in range(repeat):
        for on in (False, True):
            nbvc.autolog(disable=not on)
            run = nbvc.start_run(root)
            start, start_cpu = time.perf_counter(), time.thread_time()
            RandomForestClassifier(n_estimators=trees, random_state=0).fit(X, y)
            fit[on].append(time.perf_counter() - start)
            cpu[on].append(time.thread_time() - start_cpu)
            run.end()
            whole[on].append(time.perf_counter() - start)
    nbvc.autolog(disable=True)
    return {
        "trees": trees,
        "fit": summary(fit[False]),
        "fit with autolog": summary(fit[True]),
        "overhead": round(statistics.median(fit[True]) / statistics.median(fit[False]) - 1, 4),
        # CPU time of the thread that called fit: what a loaded machine's waits do not blur
        "fit CPU": summary(cpu[False]),
        "fit CPU with autolog": summary(cpu[True]),
        "CPU overhead": round(statistics.median(cpu[True]) / statistics.median(cpu[False]) - 1, 4),
        "fit and run end": summary(whole[False]),
        "fit and run end with autolog": summary(whole[True]),
        "overhead to the run end": round(
            statistics.median(whole[True]) / statistics.median(whole[False]) - 1, 4
        ),
    }


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--metrics", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--model-mib", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["log", "search", "load", "autolog"]
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip MLflow's SQLite store")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"load_average_before": load_average()}
    with tempfile.TemporaryDirectory(prefix="nbvc-bench-tracking-") as work:
        if "log" not in args.skip:
            results[f"log_metric x{args.metrics}"] = bench_logging(
                work, args.metrics, args.repeat, not args.no_sqlite
            )
        if "search" not in args.skip:
            results["runs --filter"] = bench_search(work, args.runs, args.repeat)
        if "load" not in args.skip:
            results["load_model"] = bench_load(work, args.model_mib, args.repeat)
        if "autolog" not in args.skip:
            results["autolog"] = bench_autolog(work, args.repeat)
    results["load_average_after"] = load_average()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
