"""nbvc models: the declared artifacts of type ``model``."""

from __future__ import annotations

from typing import Any

from nbvc.cli.commands.artifacts import register_listing, run

__all__ = ["register", "run"]  # the listing's `run` serves models too


def register(sub: Any) -> list[str]:
    return register_listing(sub, "models", "models")
