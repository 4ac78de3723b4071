"""``repo.pipeline``: bring the pipeline's outputs up to date, as one run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nbvc.core.engine_options import ReproOptions
from nbvc.core.pipeline import dag
from nbvc.core.pipeline.declared import declared_artifacts
from nbvc.core.pipeline.loader import load_pipeline
from nbvc.core.pipeline.outcome import NULL_LISTENER, ReproListener, ReproResult
from nbvc.core.pipeline.repro import repro
from nbvc.core.pipeline.runcache import OutsFetcher
from nbvc.core.repo import Repo

DEFAULTS = ReproOptions()


class Pipeline:
    def __init__(self, repo: Repo, remote_fetcher: Callable[[Repo], OutsFetcher]) -> None:
        self._repo = repo
        self._remote_fetcher = remote_fetcher  # for --pull; from the remote layer, above this one

    def repro(
        self, options: ReproOptions = DEFAULTS, listener: ReproListener = NULL_LISTENER
    ) -> ReproResult:
        """Run the stages whose inputs changed (all of ``options.targets`` and their upstream
        stages); ``listener`` hears each stage start, print and finish."""
        fetch = self._remote_fetcher(self._repo) if options.pull else None
        return repro(self._repo, options, listener, fetch)

    def planned(self, options: ReproOptions = DEFAULTS) -> list[str]:
        """The stages :meth:`repro` will visit with ``options``, in order."""
        pipeline = load_pipeline(self._repo.root, check_workspace=False)
        graph = dag.check(pipeline, self._repo.root)
        targets = dag.resolve_targets(pipeline, options.targets)
        return dag.select(graph, targets, options.downstream, options.single_item)

    def declared(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The models and datasets the pipeline file declares (``artifacts:``), with their
        latest nbvc version; ``kind`` keeps one type (``model``)."""
        return declared_artifacts(self._repo, kind)
