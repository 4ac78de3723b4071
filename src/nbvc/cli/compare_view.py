"""Rendering params/metrics tables as plain text, Markdown or JSON (shared by the verbs)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nbvc.cli.output import NUMBER, Column, print_json, table
from nbvc.core import number_text, value_text

if TYPE_CHECKING:
    from nbvc.core import Row, Side


def add_format_options(parser: argparse.ArgumentParser, with_all: bool = True) -> None:
    if with_all:
        parser.add_argument("--all", action="store_true", help="unchanged rows too")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="machine-readable output")
    group.add_argument("--md", action="store_true", help="a Markdown table")


def _signed(value: float | None, suffix: str = "") -> str:
    return "-" if value is None else ("+" if value >= 0 else "") + number_text(value) + suffix


def markdown(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(headers), line(["---"] * len(headers)), *(line(r) for r in rows)])


def print_diff(
    rows: Sequence[Row], old_side: Side, new_side: Side, what: str, args: argparse.Namespace
) -> None:
    old, new = old_side.label, new_side.label
    if args.json:
        print_json({"old": old, "new": new, what: [row.to_json() for row in rows]})
        return
    if not rows:
        print(f"No {what} changed between {old} and {new}.")
        return
    columns = [
        Column("path"),
        Column(what[:-1]),
        Column(old, NUMBER, verbatim=True),
        Column(new, NUMBER, verbatim=True),
        Column("change", NUMBER),
        Column("%", NUMBER),
    ]
    cells = [
        [
            (new_side if row.new is not None else old_side).source_label(row.source),
            row.name,
            value_text(row.old),
            value_text(row.new),
            _signed(row.change),
            _signed(row.percent, "%"),
        ]
        for row in rows
    ]
    print(markdown([c.heading() for c in columns], cells) if args.md else table(columns, cells))


def print_values(side: Side, args: argparse.Namespace) -> None:
    values, label = side.metrics, side.label
    if args.json:
        print_json({"ref": label, "metrics": values})
        return
    cells = [
        [side.source_label(source), name, value_text(value)]
        for source, by_name in values.items()
        for name, value in by_name.items()
    ]
    if not cells:
        print(f"No metrics at {label}.")
        return
    columns = [Column("path"), Column("metric"), Column(label, NUMBER, verbatim=True)]
    print(markdown([c.heading() for c in columns], cells) if args.md else table(columns, cells))
