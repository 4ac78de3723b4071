"""REST handlers for experiments: the sweeps, one sweep's table, cancelling a sweep.

Running a sweep and applying a run are jobs (``POST /nbvc/api/jobs`` with kind ``exp_run`` or
``exp_apply``), so they report progress and can be cancelled like the other long actions.
"""

from __future__ import annotations

from typing import Any

from tornado.web import authenticated

from nbvc.core import Repo
from nbvc.server.base import NbvcHandler
from nbvc.server.params import MAX_PATH, Fields
from nbvc.server.service import check_ref

Json = dict[str, Any]
MAX_SWEEPS = 200
MAX_NAME = 200


def sweeps(repo: Repo, limit: int) -> Json:
    found = repo.experiments.sweeps(limit)
    return {
        "sweeps": [
            {
                "id": view.id,
                "short_id": view.id.rsplit("-", 1)[-1],
                "name": view.name,
                "status": view.status,
                "executor": view.plan.get("executor"),
                "counts": view.counts(),
                "points": len(view.points),
            }
            for view in found
        ]
    }


class ExperimentsHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        limit = self.int_query("limit", 50, 1, MAX_SWEEPS)
        self.reply(await self.in_repo(self.location(), lambda r: sweeps(r, limit)))


class ExperimentHandler(NbvcHandler):
    @authenticated
    async def get(self, sweep: str) -> None:
        ref = check_ref(sweep)
        sort = self.query("sort")
        if sort is not None:
            sort = sort[:MAX_NAME]
        self.reply(
            await self.in_repo(self.location(), lambda r: r.experiments.table(ref, sort).to_json())
        )


class ExperimentCancelHandler(NbvcHandler):
    @authenticated
    async def post(self, sweep: str) -> None:
        ref = check_ref(sweep)
        fields = Fields(self.body(), "request body")
        location = fields.text("path", MAX_PATH, "")
        fields.finish()
        cancelled = await self.in_repo(location, lambda r: r.experiments.cancel(ref))
        self.reply({"cancelled": cancelled}, status=202)
