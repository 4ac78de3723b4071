"""Where plot definitions and plot files come from: a run, the workspace or a git revision."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Protocol

from nbvc.core.errors import NbvcError, NoPipelineError
from nbvc.core.metrics.revision import Fetch, RevisionReader
from nbvc.core.pipeline.definition import PlotDef
from nbvc.core.pipeline.loader import PIPELINE_FILES, load_pipeline, parse_pipeline
from nbvc.core.pipeline.plot_files import workspace_files
from nbvc.core.repo import Repo
from nbvc.core.storage.fsutil import is_within


class Source(Protocol):
    label: str
    repo: Repo

    def definitions(self) -> list[PlotDef]: ...

    def read(self, path: str) -> bytes | None: ...

    def is_file(self, path: str) -> bool: ...

    def files_under(self, folder: str) -> list[str]: ...


def read_file(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


class WorkspaceSource:
    label = "workspace"

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._is_file, self._files_under = workspace_files(repo.root)

    def definitions(self) -> list[PlotDef]:
        return load_pipeline(self.repo.root, check_workspace=False).plot_defs()

    def read(self, path: str) -> bytes | None:
        target = os.path.realpath(self.repo.abspath(path))
        if not is_within(target, self.repo.root):  # a symlink out of the project
            return None
        return read_file(target)

    def is_file(self, path: str) -> bool:
        return self._is_file(path)

    def files_under(self, folder: str) -> list[str]:
        return self._files_under(folder)


class RunSource:
    """A run: its record names the plot definitions and holds each plot file as an object."""

    def __init__(self, repo: Repo, record: Mapping[str, Any], label: str) -> None:
        self.repo = repo
        self.record = record
        self.label = label
        self.files = {p["path"]: p["oid"] for p in record.get("plots") or ()}

    def definitions(self) -> list[PlotDef]:
        defs = self.record.get("plot_defs")
        if not defs:  # records written before definitions were kept
            return [
                PlotDef(p["path"], p.get("props") or {}) for p in self.record.get("plots") or ()
            ]
        return [PlotDef(d["id"], d.get("props") or {}, None, d.get("is_path", True)) for d in defs]

    def read(self, path: str) -> bytes | None:
        oid = self.files.get(path)
        if oid is None:
            return None
        if not self.repo.odb.exists(oid):
            raise NbvcError(
                f"plot file {path} of run {self.label} is not in the cache; `nbvc pull` fetches it"
            )
        return self.repo.odb.read_bytes(oid)

    def is_file(self, path: str) -> bool:
        return path in self.files

    def files_under(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/" if folder else ""
        return sorted(p for p in self.files if p.startswith(prefix))


class RevisionSource:
    """A git revision: its pipeline file, git's files and its locks' cached outputs."""

    def __init__(self, repo: Repo, label: str, commit: str, fetch: Fetch | None) -> None:
        self.repo = repo
        self.label = label
        self.reader = RevisionReader(repo, commit, fetch)

    def definitions(self) -> list[PlotDef]:
        for name in PIPELINE_FILES:
            text = self.reader.read_text(name)
            if text is not None:
                try:
                    return parse_pipeline(text, name, self.reader.read_text).plot_defs()
                except NbvcError as exc:
                    raise NbvcError(f"cannot read the pipeline at {self.label}: {exc}") from None
        raise NoPipelineError(f"no pipeline file at {self.label}")

    def read(self, path: str) -> bytes | None:
        return self.reader.read_bytes(path)

    def is_file(self, path: str) -> bool:
        return path in self.reader.files_under(os.path.dirname(path))

    def files_under(self, folder: str) -> list[str]:
        return self.reader.files_under(folder)
