"""A read-only repo and a full disk, for real: `nbvc` run in a mount namespace of its own where
the repo is bind-mounted read-only, or lives on a small tmpfs that is full.

Both need ``unshare -m`` (root, or a user namespace); without it the tests that use them skip.
"""

from __future__ import annotations

import functools
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from tests.faults.kill import LAUNCHER


@functools.cache
def can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt 2>/dev/null"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def _nbvc(args: list[str]) -> str:
    return shlex.join([sys.executable, str(LAUNCHER), *args])


def run_read_only(root: Path, commands: list[list[str]]) -> list[dict[str, object]]:
    """Run each `nbvc COMMAND` in ``root`` with ``root`` mounted read-only; their results."""
    script = [
        f"mount --bind {shlex.quote(str(root))} {shlex.quote(str(root))}",
        f"mount -o remount,bind,ro {shlex.quote(str(root))}",
        f"cd {shlex.quote(str(root))}",
        *(_captured(i, args) for i, args in enumerate(commands)),
    ]
    return _results(script, len(commands))


def run_on_full_disk(
    root: Path, commands: list[list[str]]
) -> tuple[list[dict[str, object]], list[str]]:
    """Copy the repo at ``root`` onto a small tmpfs, fill the tmpfs, run each command there;
    their results, and every file in the repo copy afterwards (``root`` is left as it was)."""
    disk = root.parent / f"{root.name}-fulldisk"
    disk.mkdir()
    inner = disk / root.name
    script = [
        f"mount -t tmpfs -o size=64m tmpfs {shlex.quote(str(disk))}",
        f"cp -a {shlex.quote(str(root))} {shlex.quote(str(inner))}",
        f"cd {shlex.quote(str(inner))}",
        f"dd if=/dev/zero of={shlex.quote(str(disk / 'filler'))} bs=64k 2>/dev/null || true",
        f'{sys.executable} -c \'open("{disk / "filler2"}", "wb").write(b"x" * 4096)\' '
        "2>/dev/null || true",
        *(_captured(i, args) for i, args in enumerate(commands)),
        f"{sys.executable} -c "
        + shlex.quote(
            "import json, os, sys\n"
            "root = sys.argv[1]\n"
            "print(json.dumps(sorted(os.path.relpath(os.path.join(d, n), root)"
            " for d, _, names in os.walk(root) for n in names)))\n"
        )
        + f" {shlex.quote(str(inner))} >/tmp/nbvc-sandbox-files-$$",
    ]
    results = _results(script, len(commands), with_files=True)
    files = results.pop()
    return results, list(files["files"])  # type: ignore[call-overload]


def _captured(i: int, args: list[str]) -> str:
    return (
        f"{_nbvc(args)} >/tmp/nbvc-sandbox-out-$$-{i} 2>/tmp/nbvc-sandbox-err-$$-{i} "
        f"&& echo 0 >/tmp/nbvc-sandbox-rc-$$-{i} || echo $? >/tmp/nbvc-sandbox-rc-$$-{i}"
    )


def _results(script: list[str], count: int, with_files: bool = False) -> list[dict[str, object]]:
    collect = (
        f"{sys.executable} -c "
        + shlex.quote(
            "import json, os, sys\n"
            "pid, n = sys.argv[1], int(sys.argv[2])\n"
            "def read(kind, i):\n"
            "    path = f'/tmp/nbvc-sandbox-{kind}-{pid}-{i}'\n"
            "    with open(path) as handle:\n"
            "        text = handle.read()\n"
            "    os.unlink(path)\n"
            "    return text\n"
            "found = [{'code': int(read('rc', i)), 'out': read('out', i),"
            " 'err': read('err', i)} for i in range(n)]\n"
            "if sys.argv[3] == 'files':\n"
            "    with open(f'/tmp/nbvc-sandbox-files-{pid}') as handle:\n"
            "        found.append({'files': json.load(handle)})\n"
            "    os.unlink(f'/tmp/nbvc-sandbox-files-{pid}')\n"
            "print(json.dumps(found))\n"
        )
        + f" $$ {count} {'files' if with_files else 'none'}"
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", "set -e\n" + "\n".join([*script, collect])],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, object]] = json.loads(done.stdout.splitlines()[-1])
    return results
