"""`nbvc import mlflow [PATH_OR_URI]`: MLflow experiments and runs brought in as nbvc runs.

Reads every place MLflow keeps runs through the real ``mlflow`` client (the ``nbvc[mlflow]``
extra): a SQL store (``sqlite:///mlflow.db``, MLflow 3's default), the legacy file store
(``mlruns/``: read with ``MLFLOW_ALLOW_FILE_STORE=true`` set for the import only; nothing is
written to it) or a tracking server (``http://...``). Each run becomes one nbvc run record:
name, tags, note, parent, params, metrics with every step and timestamp, start and end times,
status, and its artifacts stored as objects in nbvc's cache (hash checked on the way).

An imported run's id is made from its MLflow start time and run id, so importing again
creates nothing new (and a run that finished since an earlier import is still skipped: delete
it with `nbvc runs delete` and gc first to import it again).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from nbvc.core.errors import ImportSourceError
from nbvc.core.repo import Repo
from nbvc.core.runs.run_files import media_type
from nbvc.core.runs.run_record import (
    LOGGED,
    RunArtifact,
    RunRecord,
    RunStatus,
    write_run,
)
from nbvc.core.runs.run_tables import RUNS

STATUSES = {
    "FINISHED": RunStatus.COMPLETED,
    "FAILED": RunStatus.FAILED,
    "KILLED": RunStatus.INTERRUPTED,
    "RUNNING": RunStatus.INTERRUPTED,  # still running in MLflow: not a run nbvc can end
    "SCHEDULED": RunStatus.INTERRUPTED,
}
SYSTEM_TAGS = ("mlflow.runName", "mlflow.note.content", "mlflow.parentRunId")
PAGE = 1000


@dataclass
class ImportResult:
    source: str
    experiments: int = 0
    imported: list[str] = field(default_factory=list)  # nbvc run ids
    skipped: int = 0  # imported before
    artifacts: int = 0


def import_mlflow(repo: Repo, source: str | None = None) -> ImportResult:
    uri = tracking_uri(repo.root, source)
    result = ImportResult(uri)
    with _import_settings(), _temp_folder(repo) as scratch, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mlflow's own deprecation notices are not the user's
        client = _client(uri)
        experiments = _experiments(client, uri)
        result.experiments = len(experiments)
        runs = [run for experiment in experiments for run in _runs(client, experiment)]
        ids = {run.info.run_id: nbvc_id(run) for run in runs}
        names = {e.experiment_id: e.name for e in experiments}
        for run in sorted(runs, key=lambda r: r.info.start_time or 0):
            run_id = ids[run.info.run_id]
            if repo.records.exists(RUNS, run_id):
                result.skipped += 1
                continue
            artifacts = _artifacts(repo, client, run.info.run_id, scratch)
            write_run(repo, _record(client, run, run_id, ids, names, uri, artifacts))
            result.imported.append(run_id)
            result.artifacts += len(artifacts)
    return result


def tracking_uri(root: str, source: str | None) -> str:
    """A URI from what the user typed: a URI as is, a ``.db`` file as SQLite, a folder as a
    file store; nothing: ``mlflow.db`` or ``mlruns/`` in the repo, in that order."""
    if source is None:
        for candidate in ("mlflow.db", "mlruns"):
            if os.path.exists(os.path.join(root, candidate)):
                return tracking_uri(root, os.path.join(root, candidate))
        raise ImportSourceError(
            f"no mlflow.db or mlruns/ in {root}; name the store: "
            "`nbvc import mlflow sqlite:///path/mlflow.db`, a mlruns/ folder, or a server URL"
        )
    if "://" in source:
        return source
    path = os.path.abspath(source)
    if os.path.isdir(path):
        return "file://" + path
    if os.path.isfile(path):
        return "sqlite:///" + path
    raise ImportSourceError(
        f"{source}: no such MLflow store (a .db file, a mlruns/ folder or a URI)"
    )


def nbvc_id(run: Any) -> str:
    """The same nbvc id for the same MLflow run, every time it is imported."""
    start_ns = int(run.info.start_time or 0) * 1_000_000
    tail = hashlib.blake2b(run.info.run_id.encode("utf-8"), digest_size=4).hexdigest()
    return f"{start_ns:016x}-{tail}"


def _client(uri: str) -> Any:
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise ImportSourceError(
            "importing from MLflow needs mlflow; install it with `pip install 'nbvc[mlflow]'`"
        ) from None
    return MlflowClient(tracking_uri=uri)


def _experiments(client: Any, uri: str) -> list[Any]:
    from mlflow.exceptions import MlflowException

    try:
        return list(client.search_experiments())
    except MlflowException as exc:
        raise ImportSourceError(f"cannot read MLflow store {uri}: {exc.message}") from None


def _runs(client: Any, experiment: Any) -> Iterator[Any]:
    token = None
    while True:
        page = client.search_runs([experiment.experiment_id], max_results=PAGE, page_token=token)
        yield from page
        token = page.token
        if not token:
            return


def _record(
    client: Any,
    run: Any,
    run_id: str,
    ids: dict[str, str],
    experiments: dict[str, str],
    uri: str,
    artifacts: list[RunArtifact],
) -> RunRecord:
    info, data = run.info, run.data
    series = {
        key: [
            [m.step, m.value, m.timestamp / 1000.0]
            for m in client.get_metric_history(info.run_id, key)
        ]
        for key in data.metrics
    }
    for points in series.values():
        points.sort(key=lambda p: (p[0], p[2]))
    tags = {k: str(v) for k, v in data.tags.items() if not k.startswith("mlflow.")}
    tags["mlflow.experiment"] = experiments.get(info.experiment_id, info.experiment_id)
    started = info.start_time / 1000.0 if info.start_time else None
    ended = info.end_time / 1000.0 if info.end_time else None
    parent = data.tags.get("mlflow.parentRunId")
    return RunRecord(
        id=run_id,
        source="mlflow",
        status=STATUSES.get(info.status, RunStatus.INTERRUPTED),
        started=started,
        ended=ended,
        duration=(ended - started) if started and ended else None,
        params={LOGGED: dict(data.params)} if data.params else {},
        metrics={LOGGED: dict(data.metrics)} if data.metrics else {},
        series=series,
        name=info.run_name or data.tags.get("mlflow.runName"),
        tags=tags,
        note=data.tags.get("mlflow.note.content"),
        parent=ids.get(parent) if parent else None,
        artifacts=tuple(artifacts),
        extra={
            "imported": {
                "from": "mlflow",
                "uri": uri,
                "run_id": info.run_id,
                "experiment_id": info.experiment_id,
                "user": info.user_id,
            }
        },
    )


def _artifacts(repo: Repo, client: Any, mlflow_run: str, scratch: str) -> list[RunArtifact]:
    """Every artifact file of the run, downloaded and stored as an object."""
    if not list(client.list_artifacts(mlflow_run)):
        return []
    folder = os.path.join(scratch, mlflow_run)
    local = client.download_artifacts(mlflow_run, "", folder)
    found = []
    for current, dirs, files in os.walk(local):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(current, name)
            rel = os.path.relpath(path, local).replace(os.sep, "/")
            stored = repo.odb.add_file(path)
            found.append(RunArtifact(rel, "file", stored.oid, stored.size, media_type(rel)))
    shutil.rmtree(folder, ignore_errors=True)
    return found


IMPORT_SETTINGS = {
    "MLFLOW_ALLOW_FILE_STORE": "true",  # MLflow 3 refuses the file store unless told; nbvc reads
    # a tracking server that does not answer: a few seconds, not MLflow's default of 7 retries
    # backing off for four minutes (unless the user set these)
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
}


@contextlib.contextmanager
def _import_settings() -> Iterator[None]:
    """:data:`IMPORT_SETTINGS` in the environment for the import only (the file store's is
    forced; the others keep a value the user set)."""
    before = {name: os.environ.get(name) for name in IMPORT_SETTINGS}
    for name, value in IMPORT_SETTINGS.items():
        if name == "MLFLOW_ALLOW_FILE_STORE" or before[name] is None:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, earlier in before.items():
            if earlier is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = earlier


@contextlib.contextmanager
def _temp_folder(repo: Repo) -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="mlflow-import-", dir=os.path.join(repo.dot, "tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
