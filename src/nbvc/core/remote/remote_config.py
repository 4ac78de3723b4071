"""Remotes as `[remote.NAME]` tables in `.nbvc/config`, secrets in `.nbvc/config.local`.

A table holds the remote's ``url``, an optional ``jobs`` (parallel transfers) and any other key as
an fsspec storage option (``endpoint_url``, ``profile``, ``client_keys``...). ``core.remote``
names the default. `.nbvc/config` is tracked by git, so options that look like credentials are
refused there and belong in the gitignored `.nbvc/config.local` (``nbvc remote add --local``) or
in the backend's own environment and credential chain (``AWS_*`` variables, ``~/.aws``, ssh keys).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import tomli_w

from nbvc.core import config as config_mod
from nbvc.core.errors import ConfigError
from nbvc.core.repo import Repo
from nbvc.core.storage.fsutil import atomic_write_text

SHARED_FILE, LOCAL_FILE = "config", "config.local"
NBVC_KEYS = ("url", "jobs")
_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_SECRET_WORDS = ("secret", "password", "passphrase", "token", "credential", "account_key", "sas")
_SECRET_KEYS = frozenset({"key", "connection_string", "client_secret"})


@dataclass(frozen=True)
class RemoteConfig:
    name: str
    url: str
    options: dict[str, Any]  # fsspec storage options
    jobs: int | None
    is_default: bool = False

    def shown_options(self) -> dict[str, Any]:
        """The options with credential values masked, for display."""
        return {k: "***" if is_secret(k) else v for k, v in self.options.items()}


def is_secret(key: str) -> bool:
    leaf = key.rsplit(".", 1)[-1].lower()
    return leaf in _SECRET_KEYS or any(word in leaf for word in _SECRET_WORDS)


def remotes(repo: Repo) -> dict[str, RemoteConfig]:
    """Every configured remote (shared and local settings merged), by name."""
    raw = repo.config.raw
    default = raw.get("core", {}).get("remote")
    tables = raw.get("remote", {})
    if not isinstance(tables, dict):
        raise ConfigError("`remote` in .nbvc/config must be a table of [remote.NAME] sections")
    return {name: _parse(name, table, name == default) for name, table in sorted(tables.items())}


def get(repo: Repo, name: str | None = None) -> RemoteConfig:
    """The remote called ``name``, or the default one."""
    known = remotes(repo)
    if name is None:
        name = repo.config.raw.get("core", {}).get("remote")
        if name is None:
            if len(known) == 1:
                return next(iter(known.values()))
            hint = (
                "`nbvc remote add NAME URL --default` adds one"
                if not known
                else f"pass -r NAME (one of {', '.join(known)}) or run `nbvc remote default NAME`"
            )
            raise ConfigError(f"no default remote is configured; {hint}")
    if name not in known:
        listed = f"configured: {', '.join(known)}" if known else "none is configured"
        raise ConfigError(
            f"there is no remote called {name!r} ({listed}); `nbvc remote add {name} URL` adds it"
        )
    return known[name]


def add(
    repo: Repo,
    name: str,
    url: str,
    options: dict[str, Any] | None = None,
    default: bool = False,
    local: bool = False,
) -> RemoteConfig:
    """Add (or replace) remote ``name`` in `.nbvc/config` (`.nbvc/config.local` if ``local``)."""
    if not _NAME_RE.fullmatch(name):
        raise ConfigError(
            f"{name!r} cannot be a remote name: use letters, digits, '_', '-' and '.'"
        )
    if not url.strip():
        raise ConfigError(
            "the remote URL is empty; give a folder or a URL such as s3://bucket/path"
        )
    options = options or {}
    if not local:
        _refuse_secrets(url, options)
    table: dict[str, Any] = {"url": url}
    for key, value in options.items():
        _set_dotted(table, key, value)
    _parse(name, table, default)  # validate before writing
    filename = LOCAL_FILE if local else SHARED_FILE
    doc = _read(repo, filename)
    doc.setdefault("remote", {})[name] = table
    if default:
        doc.setdefault("core", {})["remote"] = name
    _write(repo, filename, doc)
    return get(repo, name)


def remove(repo: Repo, name: str) -> None:
    """Remove remote ``name`` from both config files (and as the default)."""
    get(repo, name)  # raises if unknown
    for filename in (SHARED_FILE, LOCAL_FILE):
        doc = _read(repo, filename)
        changed = doc.get("remote", {}).pop(name, None) is not None
        if doc.get("remote") == {}:
            del doc["remote"]
        if doc.get("core", {}).get("remote") == name:
            del doc["core"]["remote"]
            changed = True
        if changed:
            _write(repo, filename, doc)


def set_default(repo: Repo, name: str, local: bool = False) -> RemoteConfig:
    get(repo, name)
    filename = LOCAL_FILE if local else SHARED_FILE
    doc = _read(repo, filename)
    doc.setdefault("core", {})["remote"] = name
    _write(repo, filename, doc)
    return get(repo, name)


def parse_option(text: str) -> tuple[str, Any]:
    """``key=value`` from the command line; the value is read as TOML when it parses as TOML
    (``8``, ``true``, ``["a", "b"]``, ``"quoted"``), otherwise kept as a plain string."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(f"option {text!r} is not of the form key=value")
    if key == "url":
        raise ConfigError("give the URL as the second argument, not as -o url=...")
    try:
        parsed: Any = tomllib.loads(f"v = {value}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        parsed = value
    return key, parsed


def _parse(name: str, table: Any, is_default: bool) -> RemoteConfig:
    if not isinstance(table, dict) or not isinstance(table.get("url"), str):
        raise ConfigError(f'[remote.{name}] in .nbvc/config needs a url = "..." entry')
    jobs = table.get("jobs")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise ConfigError(f"[remote.{name}] jobs must be a whole number >= 1")
    options = {k: v for k, v in table.items() if k not in NBVC_KEYS}
    return RemoteConfig(name, table["url"], options, jobs, is_default)


def _refuse_secrets(url: str, options: dict[str, Any]) -> None:
    secret = [key for key in options if is_secret(key)]
    if "://" in url and urlsplit(url).password:
        secret.append("a password in the URL")
    if secret:
        raise ConfigError(
            f"{', '.join(secret)} looks like a credential, and .nbvc/config is tracked by git; "
            "add it with --local (it goes to the gitignored .nbvc/config.local) or use the "
            "backend's own environment variables or credential files"
        )


def _set_dotted(table: dict[str, Any], key: str, value: Any) -> None:
    *parents, leaf = key.split(".")
    for part in parents:
        child = table.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"option {key!r} clashes with the option {part!r}")
        table = child
    table[leaf] = value


def _read(repo: Repo, filename: str) -> dict[str, Any]:
    return config_mod.load_toml(os.path.join(repo.dot, filename))


def _write(repo: Repo, filename: str, doc: dict[str, Any]) -> None:
    mode = 0o600 if filename == LOCAL_FILE else 0o644  # the local file may hold credentials
    atomic_write_text(os.path.join(repo.dot, filename), tomli_w.dumps(doc), mode)
    repo.reload_config()
