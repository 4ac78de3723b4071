"""A DVC project's settings: `.dvc/config` and `.dvc/config.local` (INI, as DVC writes them).

Sections are ``[core]``, ``[cache]`` and ``['remote "NAME"']``; the local file overrides the
shared one key by key. Only what nbvc uses is interpreted here: where the cache lives and the
remotes (read by :mod:`nbvc.core.adopt.dvc_remotes`).
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass, field

from nbvc.core.errors import ConfigError

DVC_DIR = ".dvc"
_REMOTE = re.compile(r"""^'?remote\s+"(?P<name>[^"]+)"'?$""")


@dataclass(frozen=True)
class DvcConfig:
    root: str  # the DVC project root (holding .dvc/)
    sections: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def dvc_dir(self) -> str:
        return os.path.join(self.root, DVC_DIR)

    def cache_dir(self) -> str:
        """Where DVC keeps its cache (``cache.dir``, relative to `.dvc/`, default `.dvc/cache`)."""
        configured = self.sections.get("cache", {}).get("dir")
        if not configured:
            return os.path.join(self.dvc_dir, "cache")
        return os.path.normpath(os.path.join(self.dvc_dir, os.path.expanduser(configured)))

    def remotes(self) -> dict[str, dict[str, str]]:
        """Each ``['remote "NAME"']`` section, by name."""
        found = {}
        for section, values in self.sections.items():
            match = _REMOTE.match(section)
            if match:
                found[match.group("name")] = values
        return found

    def default_remote(self) -> str | None:
        return self.sections.get("core", {}).get("remote") or None


def is_dvc_project(root: str) -> bool:
    return os.path.isdir(os.path.join(root, DVC_DIR))


def find_dvc_root(start: str) -> str | None:
    """The nearest folder at or above ``start`` holding `.dvc/`."""
    current = os.path.realpath(start)
    while True:
        if is_dvc_project(current):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def load(root: str) -> DvcConfig:
    sections: dict[str, dict[str, str]] = {}
    for name in ("config", "config.local"):
        path = os.path.join(root, DVC_DIR, name)
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            with open(path, encoding="utf-8") as handle:
                parser.read_file(handle)
        except FileNotFoundError:
            continue
        except configparser.Error as exc:
            problem = str(exc).splitlines()[0]
            raise ConfigError(f"{path} cannot be read as a DVC config ({problem})") from None
        for section in parser.sections():
            key = section.strip()
            sections.setdefault(key, {}).update(dict(parser.items(section)))
    return DvcConfig(root, sections)
