"""``repo.runs``: the runs of a repo as the front ends see them.

Finished runs come from the index (their records are the truth), open ones from their journals;
references are resolved by :mod:`nbvc.core.runs.run_refs`, the same way for every front end.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from nbvc.core.errors import NbvcError, RunArtifactNotFoundError
from nbvc.core.repo import Repo
from nbvc.core.runs import listing, run_files
from nbvc.core.runs.direction import lower_is_better
from nbvc.core.runs.journal import Journal, finish_crashed, open_runs
from nbvc.core.runs.run_diff import RunDiff, diff_runs
from nbvc.core.runs.run_index import RunIndex
from nbvc.core.runs.run_record import (
    RunArtifact,
    RunRecord,
    RunStatus,
    read_run,
)
from nbvc.core.runs.run_refs import RUNS_HINT, RunRef, find_run, latest_run, resolve_run
from nbvc.core.runs.run_tables import EDITS, RUNS
from nbvc.core.runs.search import RunFilter, parse_filter
from nbvc.core.runs.table import sort_key
from nbvc.core.storage.fsutil import atomic_write_bytes, is_within


class Runs:
    def __init__(self, repo: Repo) -> None:
        self._repo = repo

    def get(self, ref: str, hint: str = RUNS_HINT) -> RunRecord:
        """The finished or open run ``ref`` names (id, short id, ``last~N``, ``name@alias``)."""
        return find_run(self._repo, ref, hint)

    def resolve(
        self, ref: str, *, workspace: bool = False, git: bool = False, hint: str = RUNS_HINT
    ) -> RunRef:
        """What ``ref`` names, where ``workspace`` and git revisions may be accepted too."""
        return resolve_run(self._repo, ref, workspace=workspace, git=git, hint=hint)

    def latest(self) -> RunRecord | None:
        return latest_run(self._repo)

    def open(self) -> list[RunRecord]:
        """Runs still being logged to. Those whose process died (a killed kernel) are
        finished here as failed first, so no run shows as running forever."""
        finish_crashed(self._repo)
        return list(open_runs(self._repo))

    def query(
        self,
        limit: int | None = None,
        sort: str | None = None,
        ascending: bool = False,
        listing_name: str = "`nbvc runs`",
    ) -> list[RunRecord]:
        """Runs newest first with the open ones on top, or sorted as :meth:`order` reads
        ``sort`` (``ascending`` forces lowest first); ``listing_name`` is the command errors
        point to."""
        if sort:
            if ascending and sort[:1] not in "+-" and not sort.endswith((":asc", ":desc")):
                sort = f"+{sort}"
            found = listing.page(self._repo, self.order(sort, listing_name), 0, limit)
            return [read_run(self._repo, summary["id"]) for summary in found]
        records = self.open()
        remaining = None if limit is None else max(limit - len(records), 0)
        ids = RunIndex(self._repo).ids(None, False, remaining) if remaining != 0 else []
        records += [read_run(self._repo, run_id) for run_id in ids]
        return records[:limit] if limit else records

    def count(self, search: str | None = None, deleted: bool = False) -> int:
        """Finished runs (that match ``search``)."""
        return listing.count(self._repo, _parsed(search), deleted)

    def page(
        self,
        order: listing.RunOrder,
        offset: int,
        limit: int | None,
        search: str | None = None,
        deleted: bool = False,
    ) -> list[dict[str, Any]]:
        """Summaries (openapi.yaml ``RunSummary``) of finished runs, from the index only:
        those matching ``search`` (MLflow's syntax, :mod:`nbvc.core.runs.search`), or the
        soft-deleted ones with ``deleted``."""
        return listing.page(self._repo, order, offset, limit, _parsed(search), deleted)

    def search(
        self,
        search: str | None = None,
        sort: str | None = None,
        limit: int | None = None,
        deleted: bool = False,
    ) -> list[dict[str, Any]]:
        """``nbvc runs --filter ... --sort ...``: summaries, best first for a metric."""
        return self.page(self.order(sort), 0, limit, search, deleted)

    def order(self, sort: str | None, listing_name: str = "`nbvc runs`") -> listing.RunOrder:
        """A sort as users type it: ``loss`` (in the metric's own direction: lower-is-better
        metrics ascending), ``-loss`` / ``loss:desc`` (highest first), ``+loss`` /
        ``loss:asc``; ``params.NAME``; or a column (started, ended, duration, status)."""
        if not sort:
            return listing.RunOrder()
        text, ascending = sort.strip(), None
        if text[:1] in "+-":
            ascending, text = text[0] == "+", text[1:]
        head, sep, tail = text.rpartition(":")
        if sep and tail.lower() in ("asc", "desc"):
            ascending, text = tail.lower() == "asc", head
        kind, dot, rest = text.partition(".")
        if text in listing.COLUMN_SORTS:
            return listing.RunOrder(text, bool(ascending))
        if dot and kind in ("params", "param"):
            return listing.RunOrder("param", bool(ascending), rest)
        name = rest if dot and kind in ("metrics", "metric") else text
        metric, source = sort_key(RunIndex(self._repo), name, listing_name)
        if ascending is None:
            ascending = lower_is_better(metric, self._repo.config.raw)
        return listing.RunOrder("metric", ascending, metric, source)

    # -- changing a run after it ended -----------------------------------------------------
    def rename(self, ref: str, name: str) -> RunRecord:
        if not name.strip():
            raise NbvcError("a run's name cannot be empty")
        return self._edit(ref, {"name": name.strip()})

    def set_tags(self, ref: str, tags: Mapping[str, str | None]) -> RunRecord:
        """Set tags (a value of None removes the tag)."""
        return self._edit(ref, {"tags": dict(tags)})

    def set_note(self, ref: str, note: str) -> RunRecord:
        return self._edit(ref, {"note": note})

    def delete(self, ref: str) -> RunRecord:
        """Soft delete: hidden from listings, kept (with its objects) until `nbvc gc`."""
        return self._edit(ref, {"deleted": True})

    def restore(self, ref: str) -> RunRecord:
        return self._edit(ref, {"deleted": False})

    def _edit(self, ref: str, changes: dict[str, Any]) -> RunRecord:
        run = self.get(ref)
        if run.status is RunStatus.RUNNING:
            if "deleted" in changes:
                raise NbvcError(f"run {run.short_id} is still running; delete it once it ends")
            _append_to_journal(Journal.of(self._repo, run.id), changes)
            return self.get(run.id)
        edit = self._repo.records.write(
            EDITS, {"run": run.id, "time": time.time(), "changes": changes}
        )
        RunIndex(self._repo).add_edit(edit)
        return read_run(self._repo, run.id)

    def purge_deleted(self, dry_run: bool = False) -> list[str]:
        """Remove the records of soft-deleted runs (`nbvc gc`); their edit records stay, so a
        copy of a purged run pulled again from a remote is still deleted."""
        index = RunIndex(self._repo)
        deleted = index.deleted()
        if not dry_run:
            for run_id in deleted:
                self._repo.records.remove(RUNS, run_id)
                index.forget(run_id)
        return deleted

    def artifact(self, ref: str, name: str, step: int | None = None) -> RunArtifact:
        """The artifact ``name`` logged to run ``ref`` (the last step's, unless ``step``)."""
        run = self.get(ref)
        found = [a for a in run.artifacts if a.name == name and (step is None or a.step == step)]
        if not found:
            names = ", ".join(sorted({a.name for a in run.artifacts})) or "none"
            at = f" at step {step}" if step is not None else ""
            raise RunArtifactNotFoundError(
                f"run {run.short_id} has no artifact {name!r}{at} (it has: {names})"
            )
        return max(found, key=lambda a: -1 if a.step is None else a.step)

    def artifact_file(
        self, ref: str, name: str, step: int | None = None, file: str | None = None
    ) -> tuple[str, str, bytes]:
        """A logged file, or one ``file`` of a logged folder (``a/b.txt``): the file's name,
        its media type and its content (hash checked). ``name`` and ``file`` are looked up in the
        run's record, never joined to a path."""
        artifact = self.artifact(ref, name, step)
        if artifact.kind != "folder":
            if file is not None:
                raise NbvcError(f"{name!r} is a file, not a folder; leave out the file to name")
            data = self._repo.odb.read_bytes(artifact.oid)
            return name.rsplit("/", 1)[-1], artifact.media_type, data
        if file is None:
            raise NbvcError(f"{name!r} is a folder; name one of its files")
        meta = self._repo.workspace.load_tree(artifact.oid).files.get(file)
        if meta is None:
            raise RunArtifactNotFoundError(f"folder {name!r} of this run has no file {file!r}")
        base = file.rsplit("/", 1)[-1]
        return base, run_files.media_type(base), self._repo.odb.read_bytes(meta.oid)

    def artifact_bytes(self, ref: str, name: str, step: int | None = None) -> bytes:
        """The content of a logged file (hash checked)."""
        artifact = self.artifact(ref, name, step)
        if artifact.kind == "folder":
            raise NbvcError(f"{name!r} is a folder; save it with `nbvc runs get RUN {name} -o DIR`")
        return self._repo.odb.read_bytes(artifact.oid)

    def save_artifact(self, ref: str, name: str, dest: str) -> list[str]:
        """Write a logged file or folder to ``dest``; returns the files written."""
        artifact = self.artifact(ref, name)
        if artifact.kind != "folder":
            atomic_write_bytes(dest, self._repo.odb.read_bytes(artifact.oid))
            return [dest]
        written = []
        tree = self._repo.workspace.load_tree(artifact.oid)
        for rel, meta in sorted(tree.files.items()):
            path = os.path.join(dest, *rel.split("/"))
            if not is_within(path, dest):
                raise NbvcError(f"artifact {name!r} names a file outside its folder: {rel}")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            atomic_write_bytes(path, self._repo.odb.read_bytes(meta.oid))
            written.append(path)
        return written

    def diff(self, old: str, new: str) -> RunDiff:
        return diff_runs(self.get(old), self.get(new))

    def value_keys(self) -> list[listing.RunKey]:
        """Every param and metric name some run has."""
        return listing.keys(self._repo)


def _parsed(search: str | None) -> RunFilter | None:
    return parse_filter(search) if search and search.strip() else None


def _append_to_journal(journal: Journal, changes: Mapping[str, Any]) -> None:
    if "name" in changes:
        journal.append({"type": "name", "name": changes["name"]})
    if "note" in changes:
        journal.append({"type": "note", "note": changes["note"]})
    for key, value in (changes.get("tags") or {}).items():
        if value is not None:
            journal.append({"type": "tag", "key": key, "value": value})
