"""The kill -9 harness: N random kills of every writing command, then the invariants.

    python -m tests.faults.harness --trials 500 [--seed S] [--scenario add ...] [--json out]

(``make faults N=500``). For each scenario (:mod:`tests.faults.scenarios`) a template is built
once and the command run once unharmed, counting the points where it writes (see
launcher.py) and timing it. Each trial copies the template, then kills the command (and what it
started) either just before a random one of those points, or after a random delay within its
run time; both kinds of kill are used in turn. Then :mod:`tests.faults.invariants` are checked
and every failure is counted by kind. The report lists trials and failures per scenario.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults import invariants
from tests.faults.kill import LAUNCHER, nbvc_run
from tests.faults.scenarios import REMOTE, SCENARIOS, WS, Scenario


@dataclass
class Calibration:
    points: int  # counted write points in an unharmed run
    seconds: float  # its run time
    startup: float  # the run time of `nbvc --version`: a kill before that hits nothing


@dataclass
class ScenarioReport:
    name: str
    command: str
    points: int = 0
    trials: int = 0
    killed: int = 0  # the kill landed before the command finished
    failures: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "scenario": self.name,
            "command": self.command,
            "write_points": self.points,
            "trials": self.trials,
            "killed": self.killed,
            "failed_trials": sum(1 for e in self.examples if e),
            "failures": dict(self.failures),
            "examples": self.examples[:5],
        }


def environment() -> dict[str, str]:
    """Stage commands' `python` is this one; no author lookup through git."""
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    return {"PATH": path, "NBVC_AUTHOR": "fault harness", "PYTHONDONTWRITEBYTECODE": "1"}


def build(scenario: Scenario, work: Path) -> Path:
    template = work / f"template-{scenario.name}"
    scenario.build(template)
    return template


def trial_copy(template: Path, dest: Path) -> None:
    shutil.copytree(template, dest, symlinks=True)
    config = dest / WS / ".nbvc" / "config"
    if config.exists():  # a folder remote named by its absolute path
        text = config.read_text()
        config.write_text(text.replace(str(template), str(dest)))


def calibrate(scenario: Scenario, template: Path, work: Path) -> Calibration:
    dest = work / f"calibrate-{scenario.name}"
    trial_copy(template, dest)
    count_file = work / f"count-{scenario.name}"
    started = time.monotonic()
    done = nbvc_run(
        list(scenario.command),
        dest / WS,
        {**environment(), "NBVC_FAULT_COUNT_FILE": str(count_file)},
        timeout=600,
    )
    seconds = time.monotonic() - started
    assert done.returncode == 0, (scenario.name, done.stdout, done.stderr)
    points = int(count_file.read_text())
    shutil.rmtree(dest)
    started = time.monotonic()
    nbvc_run(["--version"], work, environment())
    return Calibration(points, seconds, time.monotonic() - started)


def kill_run(scenario: Scenario, ws: Path, rng: random.Random, cal: Calibration, n: int) -> bool:
    """Run the command, killed at a random point; True if it died before finishing."""
    command = [sys.executable, str(LAUNCHER), *scenario.command]
    env = {**os.environ, **environment()}
    if n % 2 == 0:  # just before a random write point
        env["NBVC_FAULT_AT_CALL"] = str(rng.randint(1, max(cal.points, 1)))
        done = subprocess.run(
            command, cwd=ws, env=env, capture_output=True, start_new_session=True, check=False
        )
        return done.returncode == -signal.SIGKILL
    process = subprocess.Popen(  # after a random delay within its run time
        command,
        cwd=ws,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.wait(rng.uniform(min(cal.startup * 0.8, cal.seconds), cal.seconds))
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True


MIN_FREE = 2 << 30  # below this much free disk (another program filling it), a trial waits
RETRIES = 3  # a trial that failed while the disk was nearly full is run again


def enough_disk(work: Path, wait_seconds: float = 600) -> bool:
    """Wait (up to ``wait_seconds``) until the disk under ``work`` has room; False if not."""
    deadline = time.monotonic() + wait_seconds
    while shutil.disk_usage(work).free < MIN_FREE:
        if time.monotonic() > deadline:
            return False
        time.sleep(5)
    return True


def trial(
    scenario: Scenario,
    template: Path,
    work: Path,
    rng: random.Random,
    cal: Calibration,
    n: int,
) -> tuple[bool, list[invariants.Failure]]:
    """One kill and its checks; run again if the disk filled up meanwhile (not nbvc's doing)."""
    for _ in range(RETRIES):
        if not enough_disk(work):
            return False, [("harness", "the disk stayed full")]
        killed, failures = _trial(scenario, template, work, rng, cal, n)
        if not failures or shutil.disk_usage(work).free >= MIN_FREE:
            return killed, failures
    return killed, failures


def _trial(
    scenario: Scenario,
    template: Path,
    work: Path,
    rng: random.Random,
    cal: Calibration,
    n: int,
) -> tuple[bool, list[invariants.Failure]]:
    dest = work / f"trial-{scenario.name}-{n}"
    try:
        trial_copy(template, dest)
    except OSError as exc:
        _remove(dest)
        return False, [("harness", f"copying the template: {exc}")]
    ws = dest / WS
    remote = dest / REMOTE if scenario.uses_remote else None
    before = invariants.snapshot(ws)
    killed = False
    try:
        killed = kill_run(scenario, ws, rng, cal, n)
        failures = [
            *invariants.check_no_temp_in_workspace(ws, remote),
            *invariants.check_records(ws, remote),
            *invariants.check_user_files(ws, before, scenario.protected),
            *invariants.check_remote_objects(remote),
            *invariants.check_next_commands(ws, scenario.command),
            *invariants.check_index(ws),
            *invariants.check_records(ws, remote),
            *invariants.check_temp_swept(ws),
        ]
    except (OSError, subprocess.SubprocessError, ValueError) as exc:  # a check itself broke
        failures = [("harness", f"{type(exc).__name__}: {exc}")]
    finally:
        _remove(dest)
    return killed, failures


def _remove(path: Path) -> None:
    for dirpath, dirs, _ in os.walk(path):  # the cache keeps objects read-only
        for name in dirs:
            os.chmod(os.path.join(dirpath, name), 0o755)
    shutil.rmtree(path, ignore_errors=True)


def run(
    trials: int,
    seed: int,
    names: list[str] | None = None,
    work: Path | None = None,
    done: Callable[[ScenarioReport], None] = lambda report: None,
) -> list[ScenarioReport]:
    """``trials`` kills of each scenario; the reports (each also handed to ``done``)."""
    rng = random.Random(seed)
    reports = []
    with tempfile.TemporaryDirectory(prefix="nbvc-faults-", dir=work) as tmp:
        base = Path(tmp)
        for name in names or list(SCENARIOS):
            scenario = SCENARIOS[name]
            template = build(scenario, base)
            cal = calibrate(scenario, template, base)
            report = ScenarioReport(name, "nbvc " + " ".join(scenario.command), cal.points)
            for n in range(trials):
                killed, failures = trial(scenario, template, base, rng, cal, n)
                report.trials += 1
                report.killed += killed
                report.failures.update(kind for kind, _ in failures)
                if failures:
                    report.examples.append(f"trial {n}: " + "; ".join(d for _, d in failures[:3]))
            reports.append(report)
            done(report)
            _remove(template)
    return reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=3, help="kills per scenario")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--json", type=Path, help="write the report here (after each scenario)")
    args = parser.parse_args()
    started = time.monotonic()
    finished: list[ScenarioReport] = []

    def done(report: ScenarioReport) -> None:
        finished.append(report)
        print(
            f"{report.name:14} {report.trials:5} trials, {report.killed:5} killed mid-run, "
            f"{report.points:6} write points, failures: {dict(report.failures) or 0}",
            flush=True,
        )
        for example in report.examples[:3]:
            print(f"    {example}", flush=True)
        if args.json:
            doc = {
                "seed": args.seed,
                "trials_per_scenario": args.trials,
                "seconds": round(time.monotonic() - started, 1),
                "scenarios": [r.to_json() for r in finished],
            }
            args.json.write_text(json.dumps(doc, indent=2))

    reports = run(args.trials, args.seed, args.scenario, done=done)
    print(f"seed {args.seed}, {time.monotonic() - started:.1f} s")
    return 1 if any(r.failures for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
