"""What a run reference names: the one resolver that the CLI, the kernel and the server use.

A reference is, tried in this order:

* ``workspace`` — the files as they are now (where the caller accepts it);
* ``last`` / ``latest``, ``last~N`` / ``latest~N`` — the newest run, or the Nth before it;
* ``name@alias`` — a model alias (``churn@prod``) names the run that made that model version,
  through the resolvers registered with :func:`register_alias_resolver` (the model registry);
* a run id, a unique prefix of one, or its short id (the random tail tables show), among the
  finished runs and those still open;
* a git revision (where the caller accepts it, inside a git work tree).

Anything else, or a prefix that several runs share, is a :class:`RunNotFoundError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from nbvc.core.errors import RunNotFoundError
from nbvc.core.repo import Repo
from nbvc.core.runs.journal import open_runs
from nbvc.core.runs.run_index import RunIndex
from nbvc.core.runs.run_record import RunRecord, read_run, short_id
from nbvc.core.storage import gitio

WORKSPACE = "workspace"
MIN_PREFIX = 4  # shorter prefixes are too likely to mean a git revision or a typo
RUNS_HINT = "`nbvc runs` lists run ids"
_NEWEST = re.compile(r"(?:last|latest)(?:~(\d+))?")

AliasResolver = Callable[[Repo, str, str], str | None]
"""``(repo, name, alias) -> run id`` (None: not an alias this resolver knows)."""

_alias_resolvers: list[AliasResolver] = []


def register_alias_resolver(resolver: AliasResolver) -> None:
    """Let ``name@alias`` references name runs (the model registry registers its aliases)."""
    if resolver not in _alias_resolvers:
        _alias_resolvers.append(resolver)


def unregister_alias_resolver(resolver: AliasResolver) -> None:
    if resolver in _alias_resolvers:
        _alias_resolvers.remove(resolver)


class RefKind(StrEnum):
    RUN = "run"
    WORKSPACE = "workspace"
    GIT = "git"


@dataclass(frozen=True)
class RunRef:
    """A resolved reference: a run (finished or open), the workspace, or a git commit."""

    text: str  # as the user typed it
    kind: RefKind
    run: RunRecord | None = None
    commit: str | None = None

    @property
    def label(self) -> str:
        """How views name the side: the run's short id, ``workspace`` or the git revision."""
        return self.run.short_id if self.run is not None else self.text


def resolve_run(
    repo: Repo,
    ref: str,
    *,
    workspace: bool = False,
    git: bool = False,
    hint: str = RUNS_HINT,
) -> RunRef:
    """What ``ref`` names; ``workspace`` and ``git`` say whether those are accepted too."""
    if workspace and ref == WORKSPACE:
        return RunRef(ref, RefKind.WORKSPACE)
    index = RunIndex(repo)
    if newest := _NEWEST.fullmatch(ref):
        back = int(newest.group(1) or 0)
        run_id = index.latest(skip=back)
        if run_id is None:
            raise RunNotFoundError(f"there is no run {ref!r}: fewer than {back + 1} runs; {hint}")
        return _run(repo, ref, run_id)
    if "@" in ref and (run_id := _alias(repo, ref)) is not None:
        return _run(repo, ref, run_id)
    run = _by_id(repo, index, ref)
    if run is not None:
        return RunRef(ref, RefKind.RUN, run)
    if git and gitio.is_work_tree(repo.root) and (commit := gitio.rev_parse(repo.root, ref)):
        return RunRef(ref, RefKind.GIT, commit=commit)
    raise RunNotFoundError(_unknown(ref, workspace, git, hint))


def latest_run(repo: Repo) -> RunRecord | None:
    """The newest finished run, if any."""
    run_id = RunIndex(repo).latest()
    return read_run(repo, run_id) if run_id is not None else None


def _run(repo: Repo, ref: str, run_id: str) -> RunRef:
    return RunRef(ref, RefKind.RUN, read_run(repo, run_id))


def _alias(repo: Repo, ref: str) -> str | None:
    name, _, alias = ref.rpartition("@")
    for resolver in _alias_resolvers:
        run_id = resolver(repo, name, alias)
        if run_id is not None:
            return run_id
    return None


def _by_id(repo: Repo, index: RunIndex, ref: str) -> RunRecord | None:
    """The finished or open run whose id is ``ref``, starts with it or ends with it."""
    if len(ref) < MIN_PREFIX:
        return None
    finished = index.matching(ref)
    if ref in finished:
        return read_run(repo, ref)
    running = {
        run.id: run for run in open_runs(repo) if run.id.startswith(ref) or run.id.endswith(ref)
    }
    if ref in running:
        return running[ref]
    found = sorted(set(finished) | set(running))
    if len(found) > 1:
        shown = ", ".join(short_id(run_id) for run_id in found[:5])
        raise RunNotFoundError(
            f"{ref!r} matches {len(found)} runs ({shown}); type more of the run id"
        )
    if not found:
        return None
    return running.get(found[0]) or read_run(repo, found[0])


def _unknown(ref: str, workspace: bool, git: bool, hint: str) -> str:
    if not workspace and not git:
        return f"no run {ref!r}; {hint}"
    forms = ["a run id", "'last'", "'last~N'"]
    if workspace:
        forms.append(f"'{WORKSPACE}'")
    if git:
        forms.append("a git revision")
    return f"{ref!r} is not {', '.join(forms[:-1])} or {forms[-1]}; {hint}"


def find_run(repo: Repo, ref: str, hint: str = RUNS_HINT) -> RunRecord:
    """The run ``ref`` names (no workspace, no git revision)."""
    run = resolve_run(repo, ref, hint=hint).run
    assert run is not None  # resolve_run answers only runs when neither is accepted
    return run
