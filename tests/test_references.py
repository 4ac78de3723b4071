"""Every file a message, docstring, comment or doc of the repo points to is in the repo.

A message that sends the user to a file they do not have (a note kept outside the repository, a
module since moved) is a dead end; this finds such pointers in every tracked text file.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEXT = (".py", ".md", ".sh", ".ts", ".tsx", ".toml", ".yml", ".yaml", ".cfg", "Makefile", "run")
# a path inside the repo, as messages and docs write it
IN_REPO = re.compile(
    r"(?<![\w/.-])((?:src|tests|benchmarks|docs|demos|binder|labextension|\.ci)/"
    r"[\w./-]*\w\.(?:py|md|sh|ipynb|yml|yaml|json|png|ts))\b"
)
# a document named without its folder, in capitals as notes are: README.md
MARKDOWN = re.compile(r"(?<![\w/.-])([A-Z][A-Z0-9_-]+\.md)\b")
# files that build projects of their own: the paths they name are inside those projects
PROJECT_BUILDERS = ("tests/dvc/kit.py",)


def tracked() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [p for p in out.splitlines() if p.endswith(TEXT) and (ROOT / p).is_file()]


def references() -> list[tuple[str, str]]:
    found = []
    for path in tracked():
        if path in PROJECT_BUILDERS:
            continue
        text = (ROOT / path).read_text(encoding="utf-8", errors="replace")
        found += [(path, m) for m in IN_REPO.findall(text)]
        found += [(path, m) for m in MARKDOWN.findall(text)]
    return found


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout")
def test_every_file_pointed_to_exists() -> None:
    files = set(tracked())
    names = {Path(p).name for p in files}
    generated = ("src/nbvc/labextension/",)  # the build writes it
    missing = [
        f"{path}: {ref}"
        for path, ref in references()
        if not ref.startswith(generated)
        and "*" not in ref
        and not ((ROOT / ref).exists() if "/" in ref else ref in names)
    ]
    assert missing == []
