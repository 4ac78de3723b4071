"""How numbers, sizes, counts and dates are written for people, and the transfer summary line."""

from __future__ import annotations

import time

import pytest

from nbvc.core import (
    TransferResult,
    count_text,
    number_text,
    plural,
    size_text,
    time_text,
    transfer_summary,
)


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (13, "13 B"), (1023, "1,023 B"), (1536, "1.5 KiB"), (5 * 2**30, "5.0 GiB")],
)
def test_sizes(size: int, text: str) -> None:
    assert size_text(size) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12345, "12345"),
        (0.912345678, "0.912346"),
        (-0.5, "-0.5"),
        (1234567.891, "1234568"),
        (3.0, "3"),
        (1.5e-7, "1.5e-07"),
        (True, "true"),
        (-12345.25, "-12345.2"),
    ],
)
def test_values_keep_six_significant_digits(value: float, text: str) -> None:
    assert number_text(value) == text


def test_counts_dates_and_plurals() -> None:
    assert count_text(1234567) == "1,234,567"
    assert time_text(time.mktime((2026, 3, 4, 5, 6, 0, 0, 0, -1))) == "2026-03-04 05:06"
    assert plural(1, "object") == "1 object"
    assert plural(0, "object") == "0 objects"
    assert plural(2000, "entry", "entries") == "2,000 entries"


def test_the_transfer_summary_says_one_object_not_one_objects() -> None:
    one = TransferResult("origin", "push", objects=1, bytes=13, records=1)
    assert transfer_summary(one) == "pushed 1 object (13 B) and 1 record to origin"
    many = TransferResult("store", "fetch", objects=3, bytes=3 * 2**20, records=2)
    assert transfer_summary(many) == "fetched 3 objects (3.0 MiB) and 2 records from store"
    assert transfer_summary(TransferResult("s3", "push")) == "s3: everything is up to date"
