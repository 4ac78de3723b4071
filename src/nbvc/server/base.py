"""The one base handler: authentication, JSON in and out, errors as 4xx JSON, repo per request."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler

from nbvc.core import NbvcError, Repo
from nbvc.server import body as request_body
from nbvc.server.changes import PointerCache
from nbvc.server.errors import BAD_REQUEST, CONFLICT, ApiError, from_engine, from_system
from nbvc.server.jobs import JobManager
from nbvc.server.paths import open_repo

T = TypeVar("T")
MAX_QUERY = 4096
METHOD_NOT_ALLOWED = 405


@dataclass(frozen=True)
class ServerContext:
    """What the handlers share: the server root (a real path), the jobs, the pointer cache."""

    root: str
    jobs: JobManager
    pointers: PointerCache = field(default_factory=PointerCache)
    jobs_allowed: bool = True  # False: the server runs without authentication (NbvcApp)


class NbvcHandler(APIHandler):
    """Base of every nbvc handler. Subclasses parse, call :mod:`nbvc.server.service`, reply.

    Every verb method of a subclass carries ``@tornado.web.authenticated``; tests check that.
    """

    context: ServerContext
    template: str  # the route as openapi.yaml names it ("/nbvc/api/jobs/{id}"), or ""

    def initialize(self, context: ServerContext, template: str = "") -> None:
        self.context = context
        self.template = template

    # -- input ------------------------------------------------------------------------------
    def query(self, name: str) -> str | None:
        """A query parameter as sent (not stripped), or None if absent."""
        value = self.get_query_argument(name, None, strip=False)
        return None if value is None else _checked(name, value)

    def required_query(self, name: str) -> str:
        value = self.query(name)
        if not value:
            raise ApiError(BAD_REQUEST, f"the query parameter {name!r} is required")
        return value

    def int_query(self, name: str, default: int, low: int, high: int) -> int:
        """A whole-number query parameter from ``low`` to ``high``; ``default`` if absent."""
        value = self.query(name)
        if value is None:
            return default
        if not (value.isascii() and value.isdigit() and len(value) <= 18) or not (
            low <= int(value) <= high
        ):
            raise ApiError(BAD_REQUEST, f"{name!r} must be a whole number from {low} to {high}")
        return int(value)

    def choice_query(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.query(name)
        if value is None:
            return default
        if value not in choices:
            raise ApiError(BAD_REQUEST, f"{name!r} must be one of {', '.join(choices)}")
        return value

    def location(self) -> str:
        """The ``path`` parameter: where to look for the repo (default: the server root)."""
        return self.query("path") or ""

    def body(self) -> object:
        """The JSON body, within the size and depth limits and valid for this operation's
        schema in ``openapi.yaml`` (else a 413 or a 400 naming the field)."""
        return request_body.parse(self.request.body, self.template, self.request.method or "")

    # -- work -------------------------------------------------------------------------------
    async def in_thread(self, fn: Callable[[], T]) -> T:
        """Run blocking engine work off the event loop; engine errors become 4xx answers."""
        try:
            return await asyncio.to_thread(fn)
        except NbvcError as exc:
            raise from_engine(exc, self.context.root) from exc
        except OSError as exc:  # a full disk, a read-only repo: the state of the machine
            raise from_system(exc, self.context.root) from exc
        except sqlite3.Error as exc:  # the index, locked too long or damaged under our feet
            raise ApiError(CONFLICT, f"the index failed ({exc}); try again") from exc

    async def in_repo(self, location: str, fn: Callable[[Repo], T]) -> T:
        """Open the repo holding ``location`` on a worker thread, run ``fn`` in it, close it."""

        def work() -> T:
            with open_repo(self.context.root, location) as repo:
                return fn(repo)

        return await self.in_thread(work)

    # -- output -----------------------------------------------------------------------------
    def reply(self, doc: Any, status: int = 200) -> None:
        self.set_status(status)
        # a file name that is not UTF-8 (a lone surrogate here) goes out as a JSON \u escape
        self.finish(json.dumps(doc, ensure_ascii=False).encode("utf-8", "backslashreplace"))

    @classmethod
    def allowed_methods(cls) -> list[str]:
        """The HTTP methods this handler implements."""
        verbs = ("get", "post", "put", "patch", "delete")
        return [v.upper() for v in verbs if getattr(cls, v) is not getattr(NbvcHandler, v)]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code == METHOD_NOT_ALLOWED:  # RFC 9110: say which methods are allowed
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        if isinstance(error, ApiError):
            self.finish(json.dumps({"message": error.message}, ensure_ascii=False))
        else:
            super().write_error(status_code, **kwargs)


def _checked(name: str, value: str) -> str:
    if "\x00" in value or len(value) > MAX_QUERY:
        raise ApiError(BAD_REQUEST, f"the query parameter {name!r} is not a valid value")
    return value
