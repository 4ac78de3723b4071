"""The options of ``status``, declared like those of :mod:`nbvc.core.front_options` but alone,
so that `nbvc status` builds one options class at start-up rather than all of them."""

from __future__ import annotations

from dataclasses import dataclass

from nbvc.core.verbs import front_option


@dataclass(frozen=True)
class StatusOptions:
    paths: tuple[str, ...] = front_option((), "artifacts to check (default: all)", metavar="PATH")
    json: bool = front_option(False, "machine-readable output", "--json")
    exit_code: bool = front_option(
        False,
        "exit 1 if anything is not unchanged (in a notebook: the cell fails)",
        "--exit-code",
    )
    remote: str | None = front_option(
        None,
        "instead, show what is missing here and on a remote (default: the default remote)",
        "--remote",
        metavar="NAME",
        const="",
    )
