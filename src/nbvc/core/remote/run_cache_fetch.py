"""``repro --pull``: a run-cache hit whose outputs this cache lacks is fetched from the remote
(as ``dvc repro --pull`` does), so a fresh clone or a cluster worker restores instead of
rerunning."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbvc.core.pipeline.runcache import OutsFetcher
from nbvc.core.remote import remote_config
from nbvc.core.remote.plan import Want
from nbvc.core.repo import Repo


def outs_fetcher(repo: Repo, remote_name: str | None = None, records: bool = True) -> OutsFetcher:
    """Fetches a hit's outs from ``remote_name`` (default: the default remote, which must be
    configured: checked now, before any stage runs). With ``records``, the run records this repo
    lacks are fetched first, so runs made on other machines are hits too. What the remote lacks
    or holds damaged stays out of the cache, and the stage runs."""
    remote_config.get(repo, remote_name)
    if records:
        from nbvc.core.remote import record_sync
        from nbvc.core.remote.fs import open_remote

        record_sync.fetch(repo, open_remote(repo, remote_name))

    def fetch(outs: Mapping[str, Mapping[str, Any]]) -> None:
        from nbvc.core.remote.transfer import fetch_objects  # only when a hit lacks its outputs

        fetch_objects(
            repo, [Want(out["oid"], None, path) for path, out in outs.items()], remote_name
        )

    return fetch
