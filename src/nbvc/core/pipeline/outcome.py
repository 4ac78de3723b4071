"""What `repro` reports: one outcome per stage, a listener for live progress, the result."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from nbvc.core.runs.run_record import RunStatus

RAN, SKIPPED, RESTORED, FAILED, NOT_RUN, WOULD_RUN = (
    "ran",
    "skipped",
    "restored",
    "failed",
    "not run",
    "would run",
)


@dataclass
class StageOutcome:
    stage: str
    status: str
    reason: str
    duration: float = 0.0
    error: str | None = None
    restored_from: str | None = None
    warnings: list[str] = field(default_factory=list)
    replaced: dict[str, str] = field(default_factory=dict)  # out path -> oid of what was there


@dataclass
class ReproResult:
    run_id: str | None  # None for a dry run, and when there was nothing to do (no run)
    outcomes: list[StageOutcome]
    status: RunStatus = RunStatus.COMPLETED
    dry: bool = False

    @property
    def nothing_to_do(self) -> bool:
        """Every stage was up to date: nothing ran or was restored, and no run was recorded."""
        return not self.dry and self.run_id is None

    @property
    def failed(self) -> bool:
        return any(o.status == FAILED for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        return dict(Counter(o.status for o in self.outcomes))

    def outcome(self, stage: str) -> StageOutcome:
        return next(o for o in self.outcomes if o.stage == stage)

    def to_json(self) -> dict[str, Any]:
        """``nbvc repro --json`` (docs/cli.md)."""
        return {
            "run": self.run_id,
            "status": self.status.value,
            "dry_run": self.dry,
            "counts": self.counts(),
            "stages": [
                {
                    "stage": o.stage,
                    "status": o.status,
                    "reason": o.reason,
                    "duration": round(o.duration, 3),
                    "error": o.error,
                    "restored_from": o.restored_from,
                    "warnings": o.warnings,
                }
                for o in self.outcomes
            ],
        }


class ReproListener(Protocol):
    """Live progress of a repro (the CLI prints it; the server turns it into job events)."""

    def stage_started(self, stage: str, reason: str) -> None: ...

    def output(self, stage: str, stream: str, text: str) -> None:
        """``stream`` is stdout, stderr, command (a command line) or cell (a notebook cell)."""

    def stage_finished(self, outcome: StageOutcome) -> None: ...


class NullListener:
    def stage_started(self, stage: str, reason: str) -> None:
        pass

    def output(self, stage: str, stream: str, text: str) -> None:
        pass

    def stage_finished(self, outcome: StageOutcome) -> None:
        pass


NULL_LISTENER = NullListener()
