"""Lineage records, their index, the lineage graph and its renderings (no kernel involved)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from nbvc.core.errors import NotTrackedError
from nbvc.core.lineage import lineage_index, render
from nbvc.core.lineage.cell_record import CellRecord, file_state
from nbvc.core.lineage.files import describe
from nbvc.core.lineage.graph import lineage
from nbvc.core.lineage.lineage_tables import LINEAGE
from nbvc.core.lineage.session import SessionAnalysis
from nbvc.core.lineage.store import save, source_oid
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import hash_bytes
from nbvc.core.storage.record_store import new_id
from tests.lineage.kit import access, run_cell


def test_a_record_round_trips_and_indexes_once(repo: Repo) -> None:
    Path("a.txt").write_text("a")
    cell = run_cell(repo, "open('b.txt', 'w').write(open('a.txt').read())", reads=["a.txt"])
    (record,) = repo.records.iter(LINEAGE)
    assert CellRecord.from_record(record) == cell and record["kind"] == LINEAGE
    assert [w.path for w in cell.writes] == ["b.txt"] and cell.reads[0].path == "a.txt"
    assert lineage_index.index_records(repo.index, [record]) == 0
    assert lineage_index.cell(repo.index, cell.id) == cell


def test_the_index_is_rebuilt_from_records(repo: Repo, tmp_path: Path) -> None:
    cell = run_cell(repo, "x = 1")
    repo.close()
    for name in os.listdir(repo.dot):
        if name.startswith("index.db"):
            os.remove(os.path.join(repo.dot, name))
    with Repo.open(str(tmp_path)) as fresh:
        assert lineage_index.cell(fresh.index, cell.id) == cell
        assert fresh.reindex() == 0


def test_save_refuses_a_source_that_does_not_match(repo: Repo) -> None:
    cell = CellRecord(new_id(), "s", None, None, 1, source_oid("x = 1"), "", 1.0, 2.0, True)
    with pytest.raises(ValueError, match="does not match"):
        save(repo, [(cell, "x = 2")])


def test_gc_keeps_cell_sources(repo: Repo) -> None:
    cell = run_cell(repo, "kept = True")
    result = repo.gc()
    assert result.removed == [] and repo.odb.exists(cell.source_oid)


def test_describe_names_contents_and_versions(repo: Repo) -> None:
    Path("d").mkdir()
    Path("d/x.csv").write_text("1")
    Path("f.txt").write_text("f1")
    repo.add(["d", "f.txt"])
    Path("f.txt").write_text("f2")
    repo.add(["f.txt"])
    Path("f.txt").write_text("f1")  # back to v1's content, pointer still says v2
    found = describe(repo, {"d/x.csv": None, "f.txt": None, "gone.txt": None, "d": None})
    assert (found["d/x.csv"].artifact, found["d/x.csv"].version) == ("d", 1)
    assert (found["f.txt"].artifact, found["f.txt"].version) == ("f.txt", 1)
    assert found["gone.txt"].oid is None and "d" not in found
    Path("new.txt").write_text("never hashed")
    state = file_state("new.txt")
    Path("new.txt").write_text("changed after it was read")
    assert describe(repo, {"new.txt": state})["new.txt"].oid is None  # content read unknown
    time.sleep(0.06)  # out of the stat cache's racy window
    describe(repo, {"new.txt": None})
    state = file_state("new.txt")
    Path("new.txt").write_text("changed again")
    remembered = describe(repo, {"new.txt": state})["new.txt"]
    assert remembered.oid == hash_bytes(b"changed after it was read")


def test_lineage_through_files_and_variables(repo: Repo) -> None:
    make = run_cell(repo, "open('raw.txt', 'w').write('3')", cell_id="make")
    repo.add(["raw.txt"], producer=make.producer)
    read = run_cell(repo, "n = int(open('raw.txt').read())", cell_id="read", reads=["raw.txt"])
    run_cell(repo, "unrelated = 5", cell_id="other")
    write = run_cell(repo, "open('out.txt', 'w').write(str(n * 2))", cell_id="write")
    repo.add(["out.txt"])  # no producer given: found from the record that wrote this content
    root = lineage(repo, "out.txt")
    assert [n.key for n in root.walk()] == [
        f"artifact:out.txt:{access(repo, 'out.txt').oid}",
        f"cell:{write.id}",
        f"cell:{read.id}",
        f"artifact:raw.txt:{access(repo, 'raw.txt').oid}",
        f"cell:{make.id}",
    ]
    assert root.children[0].children[0].data["via"] == ["n"]
    doc = json.loads(render.to_json(root))
    assert doc["label"] == "out.txt@v1" and doc["producers"][0]["cell_id"] == "write"
    assert doc["producers"][0]["inputs"][0]["inputs"][0]["version"] == "v1"
    dot = render.dot(root)
    assert dot.count("->") == 4 and 'label="out.txt@v1' in dot and "shape=note" in dot
    mermaid = render.mermaid(root)
    assert mermaid.splitlines()[0] == "flowchart LR" and "n1 --> n0" in mermaid


def test_lineage_of_an_older_version_and_of_an_untracked_file(repo: Repo) -> None:
    first = run_cell(repo, "open('m.txt', 'w').write('1')", cell_id="w")
    repo.add(["m.txt"], producer=first.producer)
    second = run_cell(repo, "open('m.txt', 'w').write('2')", cell_id="w")
    repo.add(["m.txt"], producer=second.producer)
    assert lineage(repo, "m.txt@v1").children[0].cell == first
    assert lineage(repo, "m.txt").children[0].cell == second
    log = run_cell(repo, "open('log.txt', 'w').write('x')")
    assert lineage(repo, "log.txt").children[0].cell == log
    with pytest.raises(NotTrackedError):
        lineage(repo, "nothing.txt")


def test_a_folder_made_by_several_cells(repo: Repo) -> None:
    os.makedirs("out")
    a = run_cell(repo, "open('out/a.txt', 'w').write('a')")
    b = run_cell(repo, "open('out/b.txt', 'w').write('b')")
    repo.add(["out"])
    root = lineage(repo, "out")
    assert {child.cell.id for child in root.children if child.cell} == {a.id, b.id}


def test_a_producer_whose_record_is_not_here(repo: Repo) -> None:
    Path("x.txt").write_text("x")
    repo.add(["x.txt"], producer="cell:0000-missing")
    (child,) = lineage(repo, "x.txt").children
    assert child.data == {"id": "0000-missing", "missing": True}
    assert "record not here" in render.text(lineage(repo, "x.txt"))


def test_a_cell_read_twice_is_expanded_once(repo: Repo) -> None:
    make = run_cell(repo, "open('a.txt', 'w').write('a'); open('b.txt', 'w').write('b')")
    run_cell(
        repo,
        "open('c.txt', 'w').write(open('a.txt').read() + open('b.txt').read())",
        reads=["a.txt", "b.txt"],
    )
    root = lineage(repo, "c.txt")
    makers = [n for n in root.walk() if n.cell is not None and n.cell.id == make.id]
    assert [m.repeated for m in makers] == [False, True]
    assert "(see above)" in render.text(root)


def test_session_dependencies(repo: Repo) -> None:
    imports = run_cell(repo, "import json")
    data = run_cell(repo, "data = [1, 2]")
    run_cell(repo, "data.append(3)")  # mutates data
    failed = run_cell(repo, "data = None", success=False)
    use = run_cell(repo, "total = json.dumps(sum(data))")
    analysis = SessionAnalysis(repo, "session-1")
    deps = analysis.dependencies(use.id)
    assert (deps[0].names, deps[0].files) == (("data",), ())
    assert imports.id in {d.on for d in deps} and failed.id not in {d.on for d in deps}
    closure = [c.run.id for c in analysis.closure({use.id})]
    assert closure[0] == imports.id and data.id in closure and closure[-1] == use.id
