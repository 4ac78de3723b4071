"""DVC remotes (``['remote "NAME"']`` in `.dvc/config` and `.dvc/config.local`) opened as nbvc
remotes with DVC's layout: ``files/md5/<md5[:2]>/<md5[2:]>`` (DVC 3), ``<md5[:2]>/<md5[2:]>``
(objects pushed by DVC 2).

DVC's option names are translated to the fsspec options nbvc's remotes take: for S3
``endpointurl``, ``access_key_id``, ``secret_access_key``, ``session_token``, ``profile``,
``region``, ``ssl_verify``; for SSH ``user``, ``port``, ``keyfile``, ``password``,
``passphrase``, ``timeout``; ``url`` for every kind (a relative folder is relative to `.dvc/`,
as in DVC). An option nbvc does not know is named in the error, never silently dropped.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nbvc.core.errors import ConfigError
from nbvc.core.pipeline import dvc_config
from nbvc.core.pipeline.dvc_hash import LEGACY
from nbvc.core.remote.fs import Remote, connect
from nbvc.core.remote.remote_config import RemoteConfig

_IGNORED = frozenset({"verify", "jobs", "worktree", "version_aware", "type", "allow_agent"})
_S3 = {
    "endpointurl": "endpoint_url",
    "access_key_id": "key",
    "secret_access_key": "secret",
    "session_token": "token",
    "profile": "profile",
}
_SSH = {
    "user": "username",
    "port": "port",
    "password": "password",
    "passphrase": "passphrase",
    "timeout": "timeout",
}
_FALSE = {"false", "no", "0", "off"}


@dataclass
class DvcRemote:
    name: str
    remote: Remote

    def object_path(self, md5: str, name: str = "md5") -> str:
        if name == LEGACY:
            return self.remote.path(md5[:2], md5[2:])
        return self.remote.path("files", "md5", md5[:2], md5[2:])

    def read(self, md5: str, name: str = "md5") -> bytes | None:
        return self.remote.read_bytes(self.object_path(md5, name))

    def download(self, md5: str, local_path: str, name: str = "md5") -> bool:
        return self.remote.get_file(self.object_path(md5, name), local_path)


def names(root: str) -> list[str]:
    return sorted(dvc_config.load(root).remotes())


def open_dvc_remote(root: str, name: str | None = None) -> DvcRemote:
    """The DVC remote ``name`` (default: ``core.remote`` of the DVC config)."""
    config = dvc_config.load(root)
    remotes = config.remotes()
    chosen = name or config.default_remote()
    if chosen is None:
        if len(remotes) == 1:
            chosen = next(iter(remotes))
        else:
            listed = ", ".join(sorted(remotes)) or "none"
            raise ConfigError(
                f"the DVC project has no default remote (configured: {listed}); "
                "name one with -r NAME, or set it with `dvc remote default NAME`"
            )
    if chosen not in remotes:
        listed = ", ".join(sorted(remotes)) or "none"
        raise ConfigError(f"no DVC remote called {chosen!r} in .dvc/config (configured: {listed})")
    cfg = remote_config(chosen, remotes[chosen])
    return DvcRemote(chosen, connect(cfg, config.dvc_dir))


def remote_config(name: str, section: dict[str, str]) -> RemoteConfig:
    """An nbvc remote for DVC's section (its keys translated to fsspec options)."""
    url = section.get("url")
    if not url:
        raise ConfigError(f"DVC remote {name!r} has no url in .dvc/config")
    scheme = url.partition("://")[0].lower() if "://" in url else "file"
    options: dict[str, Any] = {}
    unknown = []
    for key, value in section.items():
        if key == "url" or key in _IGNORED:
            continue
        translated = _option(scheme, key, value)
        if translated is None:
            unknown.append(key)
        else:
            options.update(translated)
    if unknown:
        raise ConfigError(
            f"DVC remote {name!r}: nbvc does not support the option(s) {', '.join(unknown)} yet "
            "(see docs/migrating-from-dvc.md)"
        )
    if scheme == "azure":
        url = "az://" + url.partition("://")[2]
    return RemoteConfig(name, url, options, None)


def _option(scheme: str, key: str, value: str) -> dict[str, Any] | None:
    if scheme in ("s3", "s3a"):
        return _s3_option(key, value)
    if scheme in ("ssh", "sftp"):
        return _ssh_option(key, value)
    if scheme == "gs" and key == "credentialpath":
        return {"token": value}
    if scheme == "azure" and key in ("account_name", "connection_string", "sas_token"):
        return {key: value}
    return None


def _s3_option(key: str, value: str) -> dict[str, Any] | None:
    client: dict[str, Any] = {}
    if key in _S3:
        return {_S3[key]: value}
    if key == "region":
        client["region_name"] = value
    elif key == "ssl_verify":
        client["verify"] = value.lower() not in _FALSE
    elif key == "use_ssl":
        return {"use_ssl": value.lower() not in _FALSE}
    return {"client_kwargs": client} if client else None


def _ssh_option(key: str, value: str) -> dict[str, Any] | None:
    if key in _SSH:
        return {_SSH[key]: int(value) if key in ("port", "timeout") else value}
    if key == "keyfile":
        return {"client_keys": [os.path.expanduser(value)]}
    return None


def describe(root: str) -> list[tuple[str, str, bool]]:
    """(name, url, is default) of each DVC remote, for listings."""
    config = dvc_config.load(root)
    default = config.default_remote()
    return [
        (
            name,
            posixpath.normpath(s.get("url", "")) if "://" not in s.get("url", "") else s["url"],
            name == default,
        )
        for name, s in sorted(config.remotes().items())
    ]


def fetcher(root: str, name: str | None = None) -> Callable[[str, str], bytes | None] | None:
    """A function reading objects (by md5) from the project's DVC remote, opened on first use;
    None when the project has no DVC remote. For cached outputs at old git revisions."""
    config = dvc_config.load(root)
    if not config.remotes() or (
        name is None and config.default_remote() is None and len(config.remotes()) != 1
    ):
        return None
    opened: list[DvcRemote] = []

    def fetch(md5: str, hash_name: str) -> bytes | None:
        if not opened:
            opened.append(open_dvc_remote(root, name))
        return opened[0].read(md5, hash_name)

    return fetch
