"""REST handlers for lineage (routes listed in :mod:`handlers`)."""

from __future__ import annotations

from tornado.web import authenticated

from nbvc.server import lineage
from nbvc.server.base import NbvcHandler


class LineageHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        artifact = self.required_query("artifact")
        ref = self.query("ref")
        root = self.context.root
        self.reply(
            await self.in_repo(
                self.location(), lambda r: lineage.artifact_lineage(r, root, artifact, ref)
            )
        )


class NotebookLineageHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        notebook = self.required_query("notebook")
        root = self.context.root
        self.reply(
            await self.in_repo(
                self.location(), lambda r: lineage.notebook_lineage(r, root, notebook)
            )
        )


class LineageScriptHandler(NbvcHandler):
    @authenticated
    async def get(self) -> None:
        artifact = self.required_query("artifact")
        ref = self.query("ref")
        self.reply(
            await self.in_repo(self.location(), lambda r: lineage.lineage_script(r, artifact, ref))
        )
