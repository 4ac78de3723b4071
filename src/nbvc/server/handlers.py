"""REST handlers under ``/nbvc/api/``: each parses its input, calls the service, replies JSON.

The route table at the bottom is the one list of what is served; ``openapi.yaml`` documents the
same list (a test keeps the two equal).
"""

from __future__ import annotations

import re
from typing import Any

from tornado.web import authenticated

from nbvc.server import changes, job_kinds, openapi, service
from nbvc.server.base import NbvcHandler, ServerContext
from nbvc.server.errors import BAD_REQUEST, CONFLICT, FORBIDDEN, NOT_FOUND, ApiError
from nbvc.server.exp_handlers import (
    ExperimentCancelHandler,
    ExperimentHandler,
    ExperimentsHandler,
)
from nbvc.server.jobs import FINISHED, Job
from nbvc.server.lineage_handlers import (
    LineageHandler,
    LineageScriptHandler,
    NotebookLineageHandler,
)
from nbvc.server.params import MAX_NAME, CheckoutRequest, Fields, TagRequest, parse_add
from nbvc.server.run_handlers import (
    MetricsDiffHandler,
    MetricsHandler,
    ModelsHandler,
    ParamsDiffHandler,
    ParamsHandler,
    PlotsHandler,
    RunArtifactHandler,
    RunHandler,
    RunsHandler,
)

API = "/nbvc/api"
DEFAULT_TAIL = 100
MAX_TAIL = 1000
MAX_ARTIFACTS = 100
MAX_TOKEN = 64


class RepoHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        root = self.context.root
        self.reply(await self.in_repo(self.location(), lambda r: service.repo_info(r, root)))


class StatusHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        artifacts = self.get_query_arguments("artifact", strip=False)
        if len(artifacts) > MAX_ARTIFACTS:
            raise ApiError(BAD_REQUEST, f"name at most {MAX_ARTIFACTS} artifacts at once")
        self.reply(await self.in_repo(self.location(), lambda r: service.statuses(r, artifacts)))


class ArtifactsHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        root = self.context.root
        self.reply(await self.in_repo(self.location(), lambda r: service.artifacts(r, root)))


class VersionsHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        artifact = self.required_query("artifact")
        self.reply(await self.in_repo(self.location(), lambda r: service.versions(r, artifact)))


class UsageHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        artifact = self.query("artifact")
        self.reply(await self.in_repo(self.location(), lambda r: service.usage(r, artifact)))


class DiffHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        artifact = self.required_query("artifact")
        a, b = self.query("a"), self.query("b")
        self.reply(await self.in_repo(self.location(), lambda r: service.diff(r, artifact, a, b)))


class ChangesHandler(NbvcHandler):
    _track_activity = False  # polling is not user activity: it must not keep a server from idling

    @authenticated
    async def get(self) -> None:
        known = self.query("since") or ""
        if len(known) > MAX_TOKEN:
            raise ApiError(BAD_REQUEST, "'since' is not a token this server gave out")
        pointers = self.context.pointers
        token = await self.in_repo(
            self.location(), lambda r: changes.change_token(r, pointers.artifacts(r))
        )
        self.reply({"token": token, "changed": token != known})


class CheckoutHandler(NbvcHandler):
    @authenticated
    async def post(self) -> None:
        r = CheckoutRequest.parse(self.body())
        self.reply(
            await self.in_repo(
                r.path, lambda repo: service.checkout(repo, r.artifact, r.ref, r.force)
            )
        )


class AddHandler(NbvcHandler):
    @authenticated
    async def post(self) -> None:
        r = parse_add(self.body())
        self.reply(await self.in_repo(r.path, lambda repo: service.add(repo, r.options)))


class TagHandler(NbvcHandler):
    @authenticated
    async def post(self) -> None:
        r = TagRequest.parse(self.body())
        self.reply(
            await self.in_repo(r.path, lambda repo: service.tag(repo, r.artifact, r.ref, r.name))
        )


class JobsHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        tail = _tail(self.query("tail"), default=0)
        self.reply({"jobs": [job.to_json(tail) for job in self.context.jobs.jobs()]})

    @authenticated
    async def post(self) -> None:
        if not self.context.jobs_allowed:
            raise ApiError(
                FORBIDDEN,
                "this server runs without authentication (no token, no password), so it starts "
                "no jobs: a job runs the repo's pipeline commands. Start it with a token or a "
                "password, or set NbvcApp.jobs_without_auth = True if that is really wanted.",
            )
        fields = Fields(self.body(), "request body")
        kind = fields.text("kind", MAX_NAME)
        args = fields.mapping("args")
        fields.finish()
        fn = await self.in_thread(lambda: job_kinds.prepare(self.context.root, kind, args))
        job = self.context.jobs.submit(kind, args, fn)
        self.set_header("Location", f"{self.base_url.rstrip('/')}{API}/jobs/{job.id}")
        self.reply(job.to_json(DEFAULT_TAIL), status=202)


class JobHandler(NbvcHandler):
    @authenticated
    async def get(self, job_id: str) -> None:
        tail = _tail(self.query("tail"), default=DEFAULT_TAIL)
        self.reply(self._job(job_id).to_json(tail))

    @authenticated
    async def delete(self, job_id: str) -> None:
        job = self._job(job_id)
        if job.state in FINISHED:
            raise ApiError(CONFLICT, f"job {job_id} has already {job.state}; nothing to cancel")
        self.context.jobs.cancel(job_id)
        self.reply(job.to_json(DEFAULT_TAIL), status=202)

    def _job(self, job_id: str) -> Job:
        job = self.context.jobs.get(job_id)
        if job is None:
            raise ApiError(NOT_FOUND, f"no job {job_id[:40]!r}; GET {API}/jobs lists the jobs")
        return job


class OpenApiHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        self.reply(openapi.document(self.base_url))


class UnknownRouteHandler(NbvcHandler):
    """Any other path under ``/nbvc/api/``: a JSON 404 (not the server's HTML page)."""

    def _missing(self) -> None:
        raise ApiError(
            NOT_FOUND, f"no nbvc API route {self.request.path}; {API}/openapi.json lists them"
        )

    @authenticated
    async def get(self, *_: str) -> None:
        self._missing()

    @authenticated
    async def post(self, *_: str) -> None:
        self._missing()

    @authenticated
    async def delete(self, *_: str) -> None:
        self._missing()


def _tail(value: str | None, default: int) -> int:
    if value is None:
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 4) or int(value) > MAX_TAIL:
        raise ApiError(BAD_REQUEST, f"'tail' must be a whole number from 0 to {MAX_TAIL}")
    return int(value)


def routes(context: ServerContext) -> list[tuple[str, type[NbvcHandler], dict[str, Any]]]:
    """Every nbvc route (relative to the server's base URL), with its handler."""
    table: list[tuple[str, type[NbvcHandler]]] = [  # paths as openapi.yaml names them
        ("/repo", RepoHandler),
        ("/status", StatusHandler),
        ("/artifacts", ArtifactsHandler),
        ("/artifacts/versions", VersionsHandler),
        ("/artifacts/usage", UsageHandler),
        ("/artifacts/diff", DiffHandler),
        ("/artifacts/checkout", CheckoutHandler),
        ("/artifacts/add", AddHandler),
        ("/artifacts/tag", TagHandler),
        ("/changes", ChangesHandler),
        ("/runs", RunsHandler),
        ("/runs/{id}", RunHandler),
        ("/runs/{id}/artifact", RunArtifactHandler),
        ("/models", ModelsHandler),
        ("/params", ParamsHandler),
        ("/params/diff", ParamsDiffHandler),
        ("/metrics", MetricsHandler),
        ("/metrics/diff", MetricsDiffHandler),
        ("/plots", PlotsHandler),
        ("/lineage", LineageHandler),
        ("/lineage/notebook", NotebookLineageHandler),
        ("/lineage/script", LineageScriptHandler),
        ("/experiments", ExperimentsHandler),
        ("/experiments/{id}", ExperimentHandler),
        ("/experiments/{id}/cancel", ExperimentCancelHandler),
        ("/jobs", JobsHandler),
        ("/jobs/{id}", JobHandler),
        ("/openapi.json", OpenApiHandler),
    ]
    served: list[tuple[str, type[NbvcHandler], dict[str, Any]]] = [
        (
            API + re.sub(r"\{[^}]+\}", "([^/]+)", path),
            handler,
            {"context": context, "template": API + path},
        )
        for path, handler in table
    ]
    # last: tornado takes the first pattern that matches
    return [*served, (API + "/.*", UnknownRouteHandler, {"context": context})]
