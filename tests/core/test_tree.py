from __future__ import annotations

import json

from blake3 import blake3

from nbvc.core.storage.tree import FileMeta, Tree, diff_trees

A = FileMeta("a" * 64, 1, False)
B = FileMeta("b" * 64, 22, True)
C = FileMeta("c" * 64, 333, False)


def test_serialisation_is_canonical() -> None:
    one = Tree({"x/a": A, "b": B}, frozenset({"e2", "e1"}))
    other = Tree({"b": B, "x/a": A}, frozenset({"e1", "e2"}))
    assert one.serialize() == other.serialize()
    assert one.oid == other.oid
    assert one.oid == blake3(one.serialize()).hexdigest() + ".dir"


def test_round_trip_keeps_files_modes_and_empty_dirs() -> None:
    tree = Tree({"données/é.csv": A, "bin/run": B, "模型.bin": C}, frozenset({"empty/inner"}))
    again = Tree.deserialize(tree.serialize())
    assert again == tree
    assert again.files["bin/run"].executable
    assert json.loads(tree.serialize())["empty_dirs"] == ["empty/inner"]


def test_size_and_count() -> None:
    tree = Tree({"a": A, "b": B, "c": C})
    assert tree.size == 356
    assert tree.nfiles == 3
    assert Tree({}).size == 0


def test_content_executable_bit_and_empty_dirs_change_the_oid() -> None:
    base = Tree({"a": A})
    assert base.oid != Tree({"a": C}).oid
    assert base.oid != Tree({"a": A._replace(executable=True)}).oid
    assert base.oid != Tree({"a": A}, frozenset({"empty"})).oid
    assert base.oid != Tree({"renamed": A}).oid


def test_diff_trees() -> None:
    old = Tree({"same": A, "gone": B, "changed": C, "mode": A})
    new = Tree({"same": A, "new": B, "changed": A, "mode": A._replace(executable=True)})
    changes = diff_trees(old, new)
    assert changes.added == ["new"]
    assert changes.removed == ["gone"]
    assert changes.modified == ["changed", "mode"]
    assert changes.changed
    assert not diff_trees(old, old).changed
