"""Errors of pipeline files and stages, each pointing at the file and line to fix."""

from __future__ import annotations

from nbvc.core.errors import NbvcError


class PipelineError(NbvcError):
    """The pipeline file is invalid; the message starts with ``file:line:``."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.problem = message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


class NoPipelineError(NbvcError):
    """Neither `nbvc.yaml` nor `dvc.yaml` exists at the repo root."""


class StageSelectionError(NbvcError):
    """A stage named on the command line does not exist."""
