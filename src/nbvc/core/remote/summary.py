"""The one line that says what a push, fetch or pull moved (the CLI, the magics and the server's
job log all print it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nbvc.core.formats.numbers import plural, size_text

if TYPE_CHECKING:
    from nbvc.core.remote.transfer import TransferResult


def summary(result: TransferResult) -> str:
    """``pushed 1 object (13 B) and 2 records to origin``; ``origin: everything is up to date``
    when nothing moved."""
    if not (result.objects or result.records):
        return f"{result.remote}: everything is up to date"
    verb, preposition = ("pushed", "to") if result.direction == "push" else ("fetched", "from")
    return (
        f"{verb} {plural(result.objects, 'object')} ({size_text(result.bytes)}) and "
        f"{plural(result.records, 'record')} {preposition} {result.remote}"
    )
