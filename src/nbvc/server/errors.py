"""Errors as HTTP answers: every failure a user can cause becomes a 4xx with a JSON message.

The engine raises :class:`~nbvc.core.NbvcError` subclasses; :func:`from_engine` maps each
to a status code in one place, so handlers never choose codes for engine errors themselves.
"""

from __future__ import annotations

from tornado.web import HTTPError

from nbvc.core import (
    ConfigError,
    CorruptObjectError,
    DamagedRecordError,
    FolderManifestError,
    LockTimeoutError,
    MissingObjectError,
    ModelLoadError,
    NbvcError,
    NotARepoError,
    NotTrackedError,
    OverlapError,
    PathError,
    RefError,
    RepoExistsError,
    UnsavedChangesError,
    system_message,
)

BAD_REQUEST, FORBIDDEN, NOT_FOUND, CONFLICT, TOO_LARGE = 400, 403, 404, 409, 413

# The first matching class wins, so subclasses come before the classes they derive from.
STATUS_BY_ERROR: tuple[tuple[type[NbvcError], int], ...] = (
    (NotARepoError, NOT_FOUND),
    (NotTrackedError, NOT_FOUND),
    (OverlapError, CONFLICT),
    (PathError, BAD_REQUEST),
    (RefError, NOT_FOUND),
    (UnsavedChangesError, CONFLICT),
    (RepoExistsError, CONFLICT),
    (MissingObjectError, CONFLICT),
    (CorruptObjectError, CONFLICT),
    (LockTimeoutError, CONFLICT),
    (ConfigError, CONFLICT),
    (ModelLoadError, CONFLICT),
    (DamagedRecordError, CONFLICT),
    (FolderManifestError, CONFLICT),
    (NbvcError, BAD_REQUEST),
)


class ApiError(HTTPError):
    """An error answer: ``status`` and a message that says what to do next.

    The message is kept apart from tornado's ``log_message`` (a %-format string) so that a path
    with a ``%`` in it can neither break logging nor be mangled in the answer.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status)
        self.message = message

    def __str__(self) -> str:
        return f"HTTP {self.status_code}: {self.message}"


def status_of(error: NbvcError) -> int:
    return next(status for cls, status in STATUS_BY_ERROR if isinstance(error, cls))


def from_engine(error: NbvcError, server_root: str) -> ApiError:
    """The answer for an engine error, with absolute paths shown relative to the server root."""
    return ApiError(status_of(error), hide_root(str(error), server_root))


def from_system(error: OSError, server_root: str) -> ApiError:
    """A refusal of the operating system (a full disk, a read-only repo) as a 409: the request
    was fine, the state of the machine is not."""
    return ApiError(CONFLICT, hide_root(system_message(error, False), server_root))


def hide_root(message: str, server_root: str) -> str:
    """Show paths as the client names them (relative to the server root), not as absolute."""
    prefix = server_root.rstrip("/") + "/"
    return message.replace(prefix, "").replace(server_root, ".")
