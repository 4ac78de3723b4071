from __future__ import annotations

import subprocess
from pathlib import Path

from nbvc.core.artifacts import gitignore
from nbvc.core.repo import Repo
from tests.helpers import write

TRACKED = ["plain.csv", "data[1].csv", "star*.bin", "what?.txt", "#notes", "!important", "trail "]
LOOK_ALIKES = ["data1.csv", "starry.bin", "whatx.txt", "trail"]  # what a glob would also match


def git_ignored(root: Path, names: list[str]) -> set[str]:
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin", "-z"],
        cwd=root,
        input="\0".join(names).encode(),
        capture_output=True,
        check=False,
    )
    return {name for name in done.stdout.decode().split("\0") if name}


def test_added_names_are_ignored_by_git_literally(git_repo: Repo) -> None:
    root = Path(git_repo.root)
    for name in TRACKED + LOOK_ALIKES:
        write(root / name, "x")
    git_repo.add(TRACKED)
    pointers = [name + ".nbvc" for name in TRACKED]
    assert git_ignored(root, TRACKED + LOOK_ALIKES + pointers) == set(TRACKED)


def test_ignore_is_idempotent_and_per_folder(tmp_path: Path) -> None:
    (tmp_path / "sub" / "dir").mkdir(parents=True)
    assert gitignore.ignore(str(tmp_path), "sub/dir/model.bin")
    assert not gitignore.ignore(str(tmp_path), "sub/dir/model.bin")
    assert (tmp_path / "sub" / "dir" / ".gitignore").read_text(encoding="utf-8") == "/model.bin\n"


def test_escape() -> None:
    assert gitignore.escape("a[1]*?.csv") == r"a\[1]\*\?.csv"
    assert gitignore.escape(r"back\slash") == r"back\\slash"
    assert gitignore.escape("#x") == r"\#x"
    assert gitignore.escape("!x") == r"\!x"
    assert gitignore.escape("x ") == "x\\ "
    assert gitignore.escape("plain") == "plain"
