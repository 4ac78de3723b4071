"""`nbvc runs diff A B`: what differs between two runs — params, metrics, tags and the
environment they ran in (Python, OS, git commit, and which packages were added, removed or
changed version)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nbvc.core.runs.run_record import RunRecord

ENV_KEYS = ("python", "os", "cpu", "cpu_count", "host", "git", "git_dirty", "git_branch")


@dataclass(frozen=True)
class Change:
    key: str  # ``source:name`` for params and metrics, the name for the rest
    old: Any
    new: Any

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class RunDiff:
    old: RunRecord
    new: RunRecord
    params: list[Change] = field(default_factory=list)
    metrics: list[Change] = field(default_factory=list)
    tags: list[Change] = field(default_factory=list)
    env: list[Change] = field(default_factory=list)
    packages: list[Change] = field(default_factory=list)  # old or new None: added or removed

    @property
    def empty(self) -> bool:
        return not (self.params or self.metrics or self.tags or self.env or self.packages)

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old.id,
            "new": self.new.id,
            **{
                part: [c.to_json() for c in getattr(self, part)]
                for part in ("params", "metrics", "tags", "env", "packages")
            },
        }


def diff_runs(old: RunRecord, new: RunRecord) -> RunDiff:
    return RunDiff(
        old,
        new,
        params=_changes(_flat(old.params), _flat(new.params)),
        metrics=_changes(_flat(old.metrics), _flat(new.metrics)),
        tags=_changes(dict(old.tags), dict(new.tags)),
        env=_changes(
            {k: old.env.get(k) for k in ENV_KEYS if k in old.env},
            {k: new.env.get(k) for k in ENV_KEYS if k in new.env},
        ),
        packages=_changes(_packages(old), _packages(new))
        if _packages(old) and _packages(new)
        else [],
    )


def _flat(values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        f"{source}:{name}": value
        for source, named in values.items()
        for name, value in named.items()
    }


def _packages(run: RunRecord) -> dict[str, Any]:
    found = run.env.get("packages")
    return dict(found) if isinstance(found, dict) else {}


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    keys = sorted(set(old) | set(new))
    return [Change(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]
