from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nbvc.core.artifacts import pointer
from nbvc.core.artifacts.pointer import Pointer
from nbvc.core.errors import PathError

OID = "0123456789abcdef" * 4


@pytest.mark.parametrize(
    "ptr",
    [
        Pointer(OID, "file", 12, 1, 3),
        Pointer(OID + ".dir", "dir", 693042112, 20000, 1),
        Pointer(OID, "file", 0, 1, None),
    ],
    ids=["file", "dir", "no-version"],
)
def test_round_trip(ptr: Pointer) -> None:
    assert pointer.parse(ptr.dumps(), "x.nbvc") == ptr


def test_written_file_is_small_commented_yaml(tmp_path: Path) -> None:
    ptr = Pointer(OID + ".dir", "dir", 10, 2, 7)
    pointer.write(str(tmp_path / "data"), ptr)
    text = (tmp_path / "data.nbvc").read_text(encoding="utf-8")
    assert text.startswith("# nbvc pointer")
    assert yaml.safe_load(text) == {
        "oid": OID + ".dir",
        "type": "dir",
        "size": 10,
        "files": 2,
        "version": 7,
    }
    assert pointer.read(str(tmp_path / "data")) == ptr


def test_read_missing_pointer_is_none(tmp_path: Path) -> None:
    assert pointer.read(str(tmp_path / "nothing")) is None


def test_remove(tmp_path: Path) -> None:
    pointer.write(str(tmp_path / "m"), Pointer(OID, "file", 1, 1, 1))
    pointer.remove(str(tmp_path / "m"))
    assert not (tmp_path / "m.nbvc").exists()


def test_quoted_values_and_blank_lines_are_accepted() -> None:
    text = f"\n# comment\noid: '{OID}'\ntype: \"file\"\nsize: 5\n\n"
    assert pointer.parse(text, "q.nbvc") == Pointer(OID, "file", 5, 1, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a valid nbvc pointer"),
        ("just some text\n", "cannot read line"),
        (f"oid: {OID}\n", "not a valid nbvc pointer"),
        ("oid: abc\ntype: file\n", "not a valid nbvc pointer"),
        (f"oid: {OID}\ntype: folder\n", "not a valid nbvc pointer"),
        (f"oid: {OID}\ntype: file\nsize: big\n", "must be integers"),
        (f"oid: {OID}\ntype: file\nversion: v2\n", "must be integers"),
        ("<<<<<<< HEAD\noid: x\n=======\n", "cannot read line"),
    ],
    ids=["empty", "prose", "no-type", "bad-oid", "bad-type", "bad-size", "bad-version", "merge"],
)
def test_invalid_pointer_gives_path_error_naming_the_file(text: str, message: str) -> None:
    with pytest.raises(PathError, match=message) as caught:
        pointer.parse(text, "data/model.bin.nbvc")
    assert "data/model.bin.nbvc" in str(caught.value)


def test_read_of_invalid_pointer_file_names_it(tmp_path: Path) -> None:
    (tmp_path / "m.nbvc").write_text("garbage\n", encoding="utf-8")
    with pytest.raises(PathError, match=r"m\.nbvc"):
        pointer.read(str(tmp_path / "m"))
