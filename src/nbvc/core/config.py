"""Repository settings: `.nbvc/config` (TOML, tracked by git) merged with `.nbvc/config.local`
(gitignored, for credentials and machine-specific choices)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from nbvc.core.errors import ConfigError, FormatError
from nbvc.core.formats import limits

LINK_TYPES = ("reflink", "hardlink", "symlink", "copy")
DEFAULT_LINK_TYPES = ("reflink", "copy")
MAX_JOBS = 1024

DEFAULT_CONFIG_TEXT = """\
# nbvc settings. Machine-specific values and credentials belong in .nbvc/config.local (gitignored).
[core]
# How checkout materialises files from the cache, in order of preference:
# reflink (copy-on-write), hardlink, symlink, copy. Links save space; copies are independent.
link_types = ["reflink", "copy"]
# Worker threads for hashing and copying; 0 picks a number from the CPU count.
jobs = 0

[cache]
# Files of at least this many bytes are stored as content-defined chunks, so versions that
# differ a little share most of their storage; 0 stores every file whole.
chunk_min_size = 4194304
"""
DEFAULT_CHUNK_MIN_SIZE = 4 << 20


@dataclass(frozen=True)
class Config:
    link_types: tuple[str, ...]
    jobs: int
    raw: dict[str, Any]
    chunk_min_size: int = DEFAULT_CHUNK_MIN_SIZE

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else min(32, (os.cpu_count() or 1) * 4)


def load_toml(path: str) -> dict[str, Any]:
    """A TOML settings file (``{}`` if absent), read within :mod:`.formats.limits`."""
    try:
        return limits.load_toml(limits.read_text(path), path)
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise ConfigError(f"{path} is a folder; nbvc needs a TOML file there") from None
    except FormatError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix or remove it") from None


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load(dot_dir: str) -> Config:
    raw = merge(
        load_toml(os.path.join(dot_dir, "config")),
        load_toml(os.path.join(dot_dir, "config.local")),
    )
    core = raw.get("core", {})
    if not isinstance(core, dict):
        raise ConfigError("core in .nbvc/config must be a [core] table")
    raw_types = core.get("link_types", DEFAULT_LINK_TYPES)
    link_types = tuple(raw_types) if isinstance(raw_types, list | tuple) else ()
    unknown = [t for t in link_types if not isinstance(t, str) or t not in LINK_TYPES]
    if unknown or not link_types:
        raise ConfigError(
            f"core.link_types {raw_types!r} in .nbvc/config is invalid; "
            f"use a non-empty list of {', '.join(LINK_TYPES)}"
        )
    jobs = core.get("jobs", 0)
    if not isinstance(jobs, int) or isinstance(jobs, bool) or not 0 <= jobs <= MAX_JOBS:
        raise ConfigError(f"core.jobs in .nbvc/config must be a whole number from 0 to {MAX_JOBS}")
    cache = raw.get("cache", {})
    if not isinstance(cache, dict):
        raise ConfigError("cache in .nbvc/config must be a [cache] table")
    chunk_min_size = cache.get("chunk_min_size", DEFAULT_CHUNK_MIN_SIZE)
    if type(chunk_min_size) is not int or chunk_min_size < 0:
        raise ConfigError(
            "cache.chunk_min_size in .nbvc/config must be a whole number of bytes >= 0 "
            "(0 stores every file whole)"
        )
    return Config(link_types, jobs, raw, chunk_min_size)
