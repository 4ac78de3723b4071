"""Errors raised by the engine.

Every message tells the user what to do next. Front ends (CLI, magics, server) turn them into
exit codes, short notebook messages or 4xx responses; nothing else catches them.
"""

from __future__ import annotations

import errno
import os


class NbvcError(Exception):
    """Base class of every error a user can cause or fix."""

    exit_code = 1


class NotARepoError(NbvcError):
    """No `.nbvc/` folder was found."""


class RepoExistsError(NbvcError):
    """`nbvc init` inside a folder that is already part of an nbvc repo."""


class PathError(NbvcError):
    """A path is missing, outside the repo, or otherwise unusable."""


class NotTrackedError(PathError):
    """A path has no pointer file."""


class OverlapError(PathError):
    """A path lies inside (or contains) an artifact that is already tracked."""


class RefError(NbvcError):
    """A version reference (`vN`, tag or git revision) does not resolve."""


class MissingObjectError(NbvcError):
    """An object needed for an operation is not in the cache."""


class CorruptObjectError(NbvcError):
    """A cached object's content no longer matches its hash."""


class UnsavedChangesError(NbvcError):
    """An operation would overwrite workspace data that is not in the cache."""


class LockTimeoutError(NbvcError):
    """Another nbvc process holds the repository lock for too long."""


class ConfigError(NbvcError):
    """The configuration is invalid."""


class RemoteError(NbvcError):
    """A remote is misconfigured, unreachable, refuses access or lacks its backend package."""


class TransferError(NbvcError):
    """A push or fetch finished without moving everything it had to (missing or corrupt objects)."""


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


class ParamsError(NbvcError):
    """A params file or key that a stage declares is missing or unreadable."""


class FormatError(NbvcError):
    """A file (or request body) is not valid text of its format, or is beyond nbvc's limits."""


class DataFileError(FormatError):
    """A params, metrics or plots file cannot be read or parsed."""


class RunNotFoundError(RefError):
    """A run reference (id, short id, ``last~N``, ``name@alias``...) matches no run, or several."""


class RunArtifactNotFoundError(RefError):
    """A run has no artifact of that name (at that step), or a logged folder no such file."""


class LoggingError(NbvcError):
    """A value that cannot be logged (not JSON, not a number)."""


class NoProducerError(NbvcError):
    """The artifact version has no recorded producing cell."""


class FilterError(NbvcError):
    """A run search expression (``nbvc runs --filter``) cannot be parsed."""


class ModelNotFoundError(RefError):
    """A model reference (``name``, ``name:v3``, ``name@alias``) names no registered version."""


class ModelLoadError(NbvcError):
    """A model cannot be loaded: its object failed its hash check, lies outside the cache, or
    needs a package that is not installed."""

    exit_code = 1


class ImportSourceError(NbvcError):
    """`nbvc import mlflow`: the MLflow store cannot be read (wrong path or URI, no mlflow)."""


class UnsupportedError(NbvcError):
    """A feature of a project nbvc moved into (a DVC one) that nbvc does not support yet."""


_ADVICE = {
    errno.ENOSPC: "free some space and try again",
    errno.EDQUOT: "free some space (or raise your quota) and try again",
    errno.EROFS: "the file system is read-only: nbvc can read this repo but not change it",
    errno.EACCES: "check the permissions of that path",
    errno.EPERM: "check the permissions of that path",
}


def system_message(exc: OSError, show_cwd: bool = True) -> str:
    """What the operating system refused, where, and what to do about it: one line for a front
    end to show (a full disk, a read-only repo, a permission)."""
    what = exc.strerror or str(exc)
    where = f": {exc.filename}" if exc.filename else f" (in {os.getcwd()})" if show_cwd else ""
    advice = _ADVICE.get(exc.errno or 0)
    return f"{what}{where}" + (f"; {advice}" if advice else "")


class DamagedRecordError(NbvcError):
    """A record file cannot be read or lacks what its kind needs."""


class NotAnIndexError(NbvcError):
    """The file at the index's path is not an nbvc index (foreign, damaged, another format)."""


class FolderManifestError(NbvcError):
    """A folder manifest is well stored (its hash matches) but not a valid manifest."""


class ExperimentError(NbvcError):
    """A sweep (``-S``) cannot be read, its executor (Dask) cannot be used, or an experiment
    cannot be run or applied as asked."""
