"""The jupyter-server extension app ``nbvc``: REST under ``/nbvc/api/`` and background jobs."""

from __future__ import annotations

import os

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Int

from nbvc.server.base import ServerContext
from nbvc.server.handlers import routes
from nbvc.server.jobs import JobManager


class NbvcApp(ExtensionApp):
    name = "nbvc"
    description = "nbvc: version data, models, pipelines and metrics from JupyterLab"
    load_other_extensions = True

    job_workers = Int(2, config=True, help="How many nbvc jobs may run at the same time.")
    job_history = Int(100, config=True, help="How many finished nbvc jobs to remember.")
    job_log_lines = Int(500, config=True, help="How many log lines to keep for each job.")
    jobs_without_auth = Bool(
        False,
        config=True,
        help="Start jobs even when the server runs without authentication (no token and no "
        "password). A repro job runs the shell commands of the repo's pipeline, so by default "
        "a server anyone can reach starts no jobs at all.",
    )

    def initialize_settings(self) -> None:
        self.jobs = JobManager(self.job_workers, self.job_history, self.job_log_lines)

    def initialize_handlers(self) -> None:
        assert self.serverapp is not None
        root = os.path.realpath(os.path.expanduser(self.serverapp.root_dir))
        authenticated = bool(self.serverapp.identity_provider.auth_enabled)
        jobs_allowed = authenticated or bool(self.jobs_without_auth)
        self.handlers.extend(routes(ServerContext(root, self.jobs, jobs_allowed=jobs_allowed)))

    async def stop_extension(self) -> None:
        self.jobs.shutdown()
