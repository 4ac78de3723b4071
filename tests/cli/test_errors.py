"""Failure paths: every error reaches the user as one `nbvc: error:` line, never a traceback."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from nbvc.core.storage import odb
from tests.conftest import Cli, NbvcProcess, assert_clean_error
from tests.helpers import corrupt_object, make_tree, set_config, write

# (verb args with {p} standing for a path), covering every verb that takes a path
PATH_COMMANDS = [
    ("add", "{p}"),
    ("status", "{p}"),
    ("log", "{p}"),
    ("checkout", "{p}"),
    ("checkout", "{p}@v1"),
    ("diff", "{p}"),
    ("diff", "{p}@v1", "{p}@v2"),
    ("tag", "{p}@v1", "prod"),
]
ALL_COMMANDS = [*PATH_COMMANDS, ("gc",), ("gc", "--keep-last", "1"), ("fsck",)]


def fill(command: tuple[str, ...], path: str) -> list[str]:
    return [arg.format(p=path) for arg in command]


@pytest.fixture
def tracked(cli: Cli, repo: Repo) -> Repo:
    root = Path(repo.root)
    make_tree(root / "data", {"a": "1"})
    write(root / "m", "one")
    cli.ok("add", "data", "m")
    write(root / "m", "two")
    cli.ok("add", "m")
    return repo


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=" ".join)
def test_not_a_repo(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "m", "x")
    err = cli.error(*fill(command, "m"))
    assert "not inside an nbvc repo" in err
    assert "nbvc init" in err
    assert not (tmp_path / ".nbvc").exists()


@pytest.mark.parametrize("command", PATH_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("where", ["dotdot", "absolute", "symlinked-folder"])
def test_paths_outside_the_repo(
    cli: Cli, tracked: Repo, tmp_path: Path, command: tuple[str, ...], where: str
) -> None:
    outside = make_tree(tmp_path / "outside", {"m": "secret"})
    Path(tracked.root, "escape").symlink_to(outside)
    path = {
        "dotdot": "../outside/m",
        "absolute": str(outside / "m"),
        "symlinked-folder": "escape/m",
    }[where]
    err = cli.error(*fill(command, path))
    assert "outside" in err
    assert "nbvc tracks only paths inside" in err
    assert not (outside / "m.nbvc").exists()


@pytest.mark.parametrize("command", PATH_COMMANDS, ids=" ".join)
def test_missing_path(cli: Cli, tracked: Repo, command: tuple[str, ...]) -> None:
    err = cli.error(*fill(command, "no/such/file.csv"))
    assert "no/such/file.csv" in err


@pytest.mark.parametrize(
    "args",
    [
        ("checkout", "m@v3"),
        ("checkout", "m@nosuchtag"),
        ("checkout", "m@HEAD~1"),
        ("checkout", "m@"),
        ("diff", "m@v1", "m@v7"),
        ("diff", "m@prod"),
        ("tag", "m@v0", "prod"),
    ],
    ids=" ".join,
)
def test_bad_refs(cli: Cli, tracked: Repo, args: tuple[str, ...]) -> None:
    err = cli.error(*args)
    assert "nbvc log m" in err or "empty reference" in err
    assert Path(tracked.root, "m").read_text(encoding="utf-8") == "two"


def test_corrupt_objects(cli: Cli, tracked: Repo) -> None:
    corrupt_object(tracked, tracked.history.by_number("m", 1).oid)
    corrupt_object(tracked, tracked.history.by_number("data", 1).oid)
    assert "corrupt" in cli.error("checkout", "m@v1")
    assert "corrupt" in cli.error("diff", "data@v1", "data")
    Path(tracked.root, "data", "a").unlink()
    assert "not in the cache" in cli.error("checkout", "data")


def test_damaged_repository_files(cli: Cli, tracked: Repo) -> None:
    root = Path(tracked.root)
    conflicted = "<<<<<<< HEAD\noid: " + "a" * 64 + "\n=======\noid: " + "b" * 64 + "\n>>>>>>> x\n"
    write(root / "m.nbvc", conflicted)  # a merge conflict in a pointer file
    assert "m.nbvc" in cli.error("status")
    write(root / "m.nbvc", "")
    assert "not an nbvc pointer file" in cli.error("checkout", "m")
    write(root / "m.nbvc", "oid: " + "a" * 64 + "\ntype: file\n\x00garbage")
    assert "m.nbvc: cannot read line" in cli.error("checkout", "m")
    set_config(root, "core = 3\n")
    assert "[core] table" in cli.error("status", "data")
    set_config(root, "[core\n")
    assert "not valid TOML" in cli.error("status", "data")


def test_damaged_record_from_elsewhere(cli: Cli, tracked: Repo) -> None:
    write(Path(tracked.records.path("versions", "ffffffffffffffff-00000000")), '{"trunc')
    tracked.close()
    for name in os.listdir(tracked.dot):
        if name.startswith("index.db"):
            os.unlink(os.path.join(tracked.dot, name))
    err = cli.error("log", "m")
    assert "ffffffffffffffff-00000000.json is not a valid nbvc record" in err


def test_damaged_index(cli: Cli, tracked: Repo) -> None:
    tracked.close()
    for name in os.listdir(tracked.dot):
        if name.startswith("index.db"):
            os.unlink(os.path.join(tracked.dot, name))
    write(Path(tracked.dot, "index.db"), "this is not sqlite" * 100)
    assert "v2" in cli.ok("log", "m")  # set aside and rebuilt from the records
    assert Path(tracked.dot, "index.db.bad").read_text() == "this is not sqlite" * 100


def test_system_errors_are_reported_without_traceback(
    cli: Cli, repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(store: odb.ObjectStore, src: str) -> odb.Staged:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), src)

    monkeypatch.setattr(odb.ObjectStore, "stage_file", disk_full)
    write(Path(repo.root, "m"), "x")
    err = cli.error("add", "m")
    assert "No space left on device" in err
    assert repo.tracked() == []


def test_broken_pipe_is_quiet(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from nbvc.cli.commands import status\n"
        "def run(args):\n"
        "    raise BrokenPipeError(32, 'Broken pipe')\n"
        "status.run = run\n"
        "from nbvc.cli.main import main\n"
        "sys.exit(main(['status']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (141, "")


def test_real_process_errors_have_no_traceback(nbvc_proc: NbvcProcess, tmp_path: Path) -> None:
    repo_root = tmp_path / "r"
    repo_root.mkdir()
    assert nbvc_proc.run("init", cwd=repo_root).code == 0
    write(repo_root / "m", "x")
    assert nbvc_proc.run("add", "m", cwd=repo_root).code == 0
    with Repo.open(str(repo_root)) as opened:
        latest = opened.history.latest("m")
        assert latest is not None
        corrupt_object(opened, latest.oid)
    (repo_root / "m").unlink()
    failures = [
        (tmp_path, ("status",)),
        (repo_root, ("add", "../x")),
        (repo_root, ("checkout", "m@v9")),
        (repo_root, ("checkout", "m")),  # the corrupt object
        (repo_root, ("log", "nothing")),
        (repo_root, ("tag", "m", "v2")),
    ]
    for cwd, args in failures:
        result = nbvc_proc.run(*args, cwd=cwd)
        assert result.code != 0, args
        assert_clean_error(result.err)
