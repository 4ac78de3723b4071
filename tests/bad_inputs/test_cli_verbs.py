"""Every input of the corpus through every CLI verb: no traceback, a one-line `nbvc: error:`
when it fails, no command over 5 s, and nothing lost."""

from __future__ import annotations

import contextlib
import io
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from blake3 import blake3

from nbvc.cli.main import EXIT_INTERNAL, main
from nbvc.core.metrics.plots import html_page
from tests.bad_inputs import corpus
from tests.faults.invariants import check_no_temp_in_workspace, file_hash

LIMIT_SECONDS = 5.0
VERBS = [
    ["status"],
    ["status", "--json"],
    ["status", "--remote"],
    ["log", "model.bin"],
    ["log", "data", "--json"],
    ["diff", "model.bin@v1", "model.bin@v2"],
    ["diff", "data"],
    ["tag", "model.bin@v1", "t1"],
    ["add", "model.bin"],
    ["add", "data"],
    ["checkout", "model.bin@v1"],
    ["checkout", "data"],
    ["lineage", "model.bin"],
    ["repro", "--dry"],
    ["repro"],
    ["runs"],
    ["runs", "--json"],
    ["params", "diff"],
    ["metrics", "show"],
    ["metrics", "diff"],
    ["plots", "show", "--out", "plots.html"],
    ["remote", "list"],
    ["push"],
    ["fetch"],
    ["pull"],
    ["gc", "--dry-run"],
    ["gc"],
    ["fsck"],
    ["init"],
]


class Hang(BaseException):
    """A command ran over the limit (a BaseException: nbvc's own handlers do not catch it)."""


@contextlib.contextmanager
def limited(seconds: float) -> Iterator[None]:
    def expired(signum: int, frame: FrameType | None) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("corpus") / "template"
    html_page([])  # the Vega bundle is made once per process, taking seconds: not a hang
    return folder, corpus.build_template(folder)


def run(args: list[str]) -> tuple[int, str, float]:
    err = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            with limited(LIMIT_SECONDS):
                code = main(args)
        except Hang:
            code = -1
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return code, err.getvalue(), time.monotonic() - started


@pytest.mark.parametrize("name", corpus.names())
def test_every_verb_survives_the_input(
    name: str,
    template: tuple[Path, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, oids = template
    ws = corpus.copy_template(folder, tmp_path / "copy")
    (entry,) = [e for e in corpus.entries(oids) if e.name == name]
    entry.place(ws)
    monkeypatch.chdir(ws)
    monkeypatch.setenv("NBVC_AUTHOR", "corpus")
    problems = []
    for args in VERBS:
        code, err, seconds = run(args)
        shown = f"nbvc {' '.join(args)}"
        if code == -1:
            problems.append(f"{shown}: ran over {LIMIT_SECONDS} s")
        elif "Traceback" in err or code == EXIT_INTERNAL:
            problems.append(f"{shown}: {err.strip()[-400:]}")
        elif code != 0 and not any(
            line.startswith(("nbvc: error: ", "Stage '")) for line in err.splitlines()
        ):
            problems.append(f"{shown}: exit {code} without an error line: {err[-300:]!r}")
        assert seconds < LIMIT_SECONDS + 1
    assert problems == []
    assert_nothing_lost(ws)


def assert_nothing_lost(ws: Path) -> None:
    assert (ws / "notes.txt").read_text() == "the user's own file\n"
    assert check_no_temp_in_workspace(ws, None) == []
    for oid, what in corpus.known_versions(ws).items():
        path = Path(ws / ".nbvc" / "cache" / "objects" / oid[:2] / oid[2:])
        assert path.is_file(), f"{what} ({oid[:12]}) is gone"
    for oid, what in corpus.known_versions(ws).items():
        path = ws / ".nbvc" / "cache" / "objects" / oid[:2] / oid[2:]
        tree = oid.endswith(".dir")
        digest = blake3(path.read_bytes()).hexdigest() if tree else file_hash(path)
        assert digest == oid.removesuffix(".dir"), f"{what} is damaged"
