"""REST handlers for runs, params, metrics and plots (routes listed in :mod:`handlers`)."""

from __future__ import annotations

from urllib.parse import quote

from tornado.web import authenticated

from nbvc.core import RUN_SORTS, RUN_VALUE_SORTS, NbvcError, RunOrder
from nbvc.server import runs
from nbvc.server.base import NbvcHandler
from nbvc.server.errors import BAD_REQUEST, ApiError

DEFAULT_PAGE = 100
MAX_PAGE = 500
MAX_OFFSET = 10**9
MAX_PLOTTED = 10
MAX_FILTER = 2000
MAX_STEP = 10**12
CHUNK = 1 << 20  # bytes of a download written at a time


class RunsHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        order = self._order()
        offset = self.int_query("offset", 0, 0, MAX_OFFSET)
        limit = self.int_query("limit", DEFAULT_PAGE, 1, MAX_PAGE)
        search = self.query("filter")
        if search is not None and len(search) > MAX_FILTER:
            raise ApiError(BAD_REQUEST, f"'filter' is longer than {MAX_FILTER} characters")
        deleted = self.choice_query("deleted", ("true", "false"), "false") == "true"
        self.reply(
            await self.in_repo(
                self.location(),
                lambda r: runs.runs_page(r, order, offset, limit, search, deleted),
            )
        )

    def _order(self) -> RunOrder:
        by = self.choice_query("sort", RUN_SORTS, "started")
        ascending = self.choice_query("order", ("asc", "desc"), "desc") == "asc"
        name, source = self.query("name"), self.query("source")
        if by not in RUN_VALUE_SORTS and (name is not None or source is not None):
            raise ApiError(BAD_REQUEST, "'name' and 'source' go with sort=metric or sort=param")
        try:
            return RunOrder(by, ascending, name, source)
        except NbvcError as exc:
            raise ApiError(BAD_REQUEST, str(exc)) from None


class ModelsHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        self.reply(await self.in_repo(self.location(), runs.models))


class RunHandler(NbvcHandler):
    @authenticated
    async def get(self, run_id: str) -> None:
        self.reply(await self.in_repo(self.location(), lambda r: runs.run_detail(r, run_id)))


class RunArtifactHandler(NbvcHandler):
    """A file a run logged, as a download: never shown in the page (``attachment``), never
    sniffed, and sandboxed, so that an HTML or SVG file someone logged runs no script here."""

    @property
    def content_security_policy(self) -> str:
        return super().content_security_policy + "; sandbox"

    @authenticated
    async def get(self, run_id: str) -> None:
        name = self.required_query("name")
        step = self.int_query("step", 0, 0, MAX_STEP) if self.query("step") is not None else None
        file = self.query("file")
        filename, media, data = await self.in_repo(
            self.location(), lambda r: runs.artifact_file(r, run_id, name, step, file)
        )
        self.set_header("Content-Type", media)  # before the first flush sends the headers
        self.set_header("Content-Disposition", attachment(filename))
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Length", str(len(data)))
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            self.write(bytes(view[start : start + CHUNK]))
            await self.flush()
        await self.finish(set_content_type=media)


def attachment(filename: str) -> str:
    """``Content-Disposition`` for a download named ``filename`` (RFC 6266: an ASCII fallback,
    and the UTF-8 name percent-encoded)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class _ValuesHandler(NbvcHandler):
    """Params or metrics of one run, the workspace or a git revision."""

    async def answer(self, what: str) -> None:
        ref = self.query("run")
        self.reply(await self.in_repo(self.location(), lambda r: runs.values(r, what, ref)))


class ParamsHandler(_ValuesHandler):
    @authenticated
    async def get(self) -> None:
        await self.answer(runs.PARAMS)


class MetricsHandler(_ValuesHandler):
    @authenticated
    async def get(self) -> None:
        await self.answer(runs.METRICS)


class _DiffHandler(NbvcHandler):
    """Params or metrics that differ between two sides."""

    async def answer(self, what: str) -> None:
        a, b = self.query("a"), self.query("b")
        show_all = self.choice_query("all", ("true", "false"), "false") == "true"
        self.reply(
            await self.in_repo(self.location(), lambda r: runs.values_diff(r, what, a, b, show_all))
        )


class ParamsDiffHandler(_DiffHandler):
    @authenticated
    async def get(self) -> None:
        await self.answer(runs.PARAMS)


class MetricsDiffHandler(_DiffHandler):
    @authenticated
    async def get(self) -> None:
        await self.answer(runs.METRICS)


class PlotsHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        refs = self.get_query_arguments("run", strip=False)
        if len(refs) > MAX_PLOTTED:
            raise ApiError(BAD_REQUEST, f"plot at most {MAX_PLOTTED} runs at once")
        self.reply(await self.in_repo(self.location(), lambda r: runs.plots(r, refs)))
