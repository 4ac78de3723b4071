"""Which paths DVC leaves out of a folder's listing: its defaults and `.dvcignore` files.

DVC never lists ``.git``, ``.hg/`` and ``.dvc/`` at any depth, and applies the gitignore-style
patterns of every `.dvcignore` file to the folder holding it and below. A folder's DVC hash
depends on this, so nbvc must leave out exactly the same files to agree with DVC.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nbvc.core.storage.hashing import hash_bytes

IGNORE_FILE = ".dvcignore"
DEFAULT_PATTERNS = (".hg/", ".git/", ".git", ".dvc/")


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool
    base: str  # repo-relative folder of the .dvcignore ("" for the root)

    def matches(self, path: str, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        if self.base:
            if not path.startswith(self.base + "/"):
                return False
            path = path[len(self.base) + 1 :]
        return self.regex.fullmatch(path) is not None


def compile_pattern(line: str, base: str) -> Pattern | None:
    """One gitignore pattern (gitwildmatch rules, as DVC's pathspec applies them)."""
    line = line.rstrip("\n").rstrip("\r")
    if not line.strip() or line.startswith("#"):
        return None
    while line.endswith(" ") and not line.endswith("\\ "):
        line = line[:-1]
    negate = line.startswith("!")
    if negate:
        line = line[1:]
    if line.startswith("\\"):
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    body = _translate(line)
    regex = body if anchored else f"(?:.*/)?{body}"
    return Pattern(re.compile(regex, re.DOTALL), negate, dir_only, base)


def _translate(glob: str) -> str:
    parts = glob.split("/")
    out: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:.*/)?")
            continue
        out.append(_translate_part(part) + ("" if last else "/"))
    return "".join(out)


def _translate_part(part: str) -> str:
    regex, i = "", 0
    while i < len(part):
        char = part[i]
        if char == "*":
            regex += "[^/]*"
        elif char == "?":
            regex += "[^/]"
        elif char == "[":
            end = part.find("]", i + 2 if part[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end == -1:
                regex += re.escape(char)
            else:
                inner = part[i + 1 : end].replace("\\", "\\\\")
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                regex += f"[{inner}]"
                i = end
        elif char == "\\" and i + 1 < len(part):
            i += 1
            regex += re.escape(part[i])
        else:
            regex += re.escape(char)
        i += 1
    return regex


class DvcIgnore:
    """The ignore rules that apply in a repo; ``read`` gives a repo-relative file's text."""

    def __init__(self, files: dict[str, str]) -> None:
        """``files``: repo-relative path of each `.dvcignore` -> its text."""
        self.files = dict(sorted(files.items()))
        self.patterns: list[Pattern] = [
            p for p in (compile_pattern(d, "") for d in DEFAULT_PATTERNS) if p is not None
        ]
        # outer files first, so the deeper (more specific) ones win, as in DVC
        for path in sorted(self.files, key=lambda p: p.count("/")):
            base = posixpath.dirname(path)
            for line in self.files[path].splitlines():
                pattern = compile_pattern(line, base)
                if pattern is not None:
                    self.patterns.append(pattern)

    @classmethod
    def for_folder(cls, folder: str, read: Callable[[str], str | None]) -> DvcIgnore:
        """The rules of the `.dvcignore` files in ``folder``'s ancestors (inner ones are
        added with :meth:`with_inner`)."""
        files = {}
        parts = folder.split("/") if folder else []
        for depth in range(len(parts) + 1):
            candidate = posixpath.join(*parts[:depth], IGNORE_FILE) if depth else IGNORE_FILE
            text = read(candidate)
            if text is not None:
                files[candidate] = text
        return cls(files)

    def with_inner(self, folder: str, inner: dict[str, str]) -> DvcIgnore:
        """These rules plus `.dvcignore` files found inside ``folder`` (paths relative to it)."""
        if not inner:
            return self
        extra = {posixpath.join(folder, rel): text for rel, text in inner.items()}
        return DvcIgnore({**self.files, **extra})

    @property
    def digest(self) -> str:
        """Changes whenever the rules do (part of a cached folder hash's key)."""
        if not self.files:
            return "default"
        text = "\0".join(f"{p}\0{t}" for p, t in self.files.items())
        return hash_bytes(text.encode("utf-8", "surrogateescape"))[:16]

    def ignored(self, path: str, is_dir: bool = False) -> bool:
        """True if DVC leaves ``path`` (repo-relative) out: it, or a folder above it, matches."""
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if self._match(prefix, is_dir or depth < len(parts)):
                return True
        return False

    def _match(self, path: str, is_dir: bool) -> bool:
        for pattern in reversed(self.patterns):
            if pattern.matches(path, is_dir):
                return not pattern.negate
        return False

    def keep(self, folder: str, relpaths: Iterable[str]) -> list[str]:
        """The files of ``folder`` (relative paths) that DVC lists."""
        prefix = f"{folder}/" if folder else ""
        return [rel for rel in relpaths if not self.ignored(prefix + rel)]
