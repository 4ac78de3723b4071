"""Progress reporting as a small protocol, so the engine never imports a UI library.

The CLI passes a tqdm-backed reporter when stderr is a terminal, the server a job reporter; the
default reports nothing.
"""

from __future__ import annotations

from typing import Protocol


class Task(Protocol):
    def advance(self, n: int = 1) -> None: ...

    def close(self) -> None: ...


class Reporter(Protocol):
    def task(self, description: str, total: int | None, unit: str = "file") -> Task: ...


class _NullTask:
    def advance(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class NullReporter:
    def task(self, description: str, total: int | None, unit: str = "file") -> Task:
        return _NullTask()


NULL = NullReporter()
