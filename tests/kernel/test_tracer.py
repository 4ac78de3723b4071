"""The cell tracer: what each executed cell's lineage record says."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

import nbvc
from nbvc.core.lineage.cell_record import CellRecord
from nbvc.core.lineage.lineage_tables import LINEAGE
from nbvc.core.lineage.script import script
from nbvc.core.lineage.store import load_source
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import hash_bytes
from tests.kernel.kit import Kernel


def oid(text: str) -> str:
    return hash_bytes(text.encode())


def test_records_cell_id_count_source_and_times(kernel: Kernel) -> None:
    before = time.time()
    kernel.value("x = 1", "first")
    kernel.value("y = x + 1", "second")
    kernel.value("z = 3", "")
    first, second, anonymous = kernel.cells()
    assert (first.cell_id, second.cell_id, anonymous.cell_id) == ("first", "second", None)
    assert first.execution_count is not None
    assert second.execution_count == first.execution_count + 1
    assert before <= first.started <= first.ended <= second.started
    assert first.notebook is None and first.cwd == "" and first.success
    assert anonymous.cell_key == "source:" + oid("z = 3")
    with kernel.repo() as repo:
        assert load_source(repo, second) == "y = x + 1"
        assert repo.odb.exists(oid("y = x + 1"))
    assert first.reads == first.writes == ()


def test_reads_and_writes_through_python_io(kernel: Kernel) -> None:
    kernel.value("with open('a.txt', 'w') as f:\n    f.write('hello')", "write")
    kernel.value(
        "import pathlib, shutil, os\n"
        "text = pathlib.Path('a.txt').read_text()\n"
        "shutil.copyfile('a.txt', 'b.txt')\n"
        "os.replace('b.txt', 'c.txt')\n",
        "copy",
    )
    kernel.value("os.remove('c.txt')", "remove")
    write, copy, remove = kernel.cells()
    assert [(w.path, w.oid) for w in write.writes] == [("a.txt", oid("hello"))]
    assert write.reads == ()
    assert [(r.path, r.oid) for r in copy.reads] == [("a.txt", oid("hello"))]
    written = {w.path: w.oid for w in copy.writes}
    assert written == {"c.txt": oid("hello")}  # b.txt came and went within the cell
    assert [(w.path, w.oid) for w in remove.writes] == [("c.txt", None)]


def test_ignores_files_outside_the_repo_and_nbvc_own_folders(
    kernel: Kernel, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "x.txt"
    kernel.value(
        f"import pathlib\npathlib.Path({str(outside)!r}).write_text('x')\n"
        "pathlib.Path('.nbvc/config').read_text()"
    )
    kernel.value("os = __import__('os'); os.makedirs('.hidden', exist_ok=True)")
    kernel.value("pathlib.Path('.hidden/h.txt').write_text('h')\nopen('missing.txt', 'w').close()")
    cells = kernel.cells()
    assert cells[0].reads == cells[0].writes == ()
    assert [w.path for w in cells[2].writes] == ["missing.txt"]


def test_reading_back_what_the_cell_wrote_is_not_an_input(kernel: Kernel) -> None:
    kernel.value("import pathlib\np = pathlib.Path('a.txt')\np.write_text('1')\np.read_text()")
    (cell,) = kernel.cells()
    assert cell.reads == () and [w.path for w in cell.writes] == ["a.txt"]


def test_a_file_read_then_overwritten_names_the_content_read(kernel: Kernel) -> None:
    Path("data.txt").write_text("old")
    kernel.value("%version_add data.txt")
    time.sleep(0.06)  # out of the stat cache's racy window
    kernel.value("%version_status data.txt")  # hashes data.txt again, now trusted
    kernel.value(
        "p = __import__('pathlib').Path('data.txt')\np.write_text(p.read_text() + 'new')", "rw"
    )
    cell = kernel.cell("rw")
    assert [(r.path, r.oid, r.version) for r in cell.reads] == [("data.txt", oid("old"), 1)]
    assert [(w.path, w.oid, w.version) for w in cell.writes] == [("data.txt", oid("oldnew"), None)]


def test_tracked_files_get_their_version_also_inside_folders(kernel: Kernel) -> None:
    Path("data/parts").mkdir(parents=True)
    Path("data/parts/p1.csv").write_text("1")
    Path("model.bin").write_text("m")
    kernel.value("%version_add data model.bin")
    kernel.value("Path('data/parts/p1.csv').read_text(), Path('model.bin').read_text()", "read")
    reads = {r.path: (r.artifact, r.version) for r in kernel.cell("read").reads}
    assert reads == {"data/parts/p1.csv": ("data", 1), "model.bin": ("model.bin", 1)}


def test_writes_done_outside_python_are_caught_by_the_stat_check(kernel: Kernel) -> None:
    Path("model.bin").write_text("v1")
    kernel.value("%version_add model.bin")
    script = "open('model.bin', 'w').write('written by another process')"
    kernel.value(f"import subprocess\nsubprocess.run([{sys.executable!r}, '-c', {script!r}])")
    cell = kernel.cells()[-1]
    assert [(w.path, w.oid) for w in cell.writes] == [
        ("model.bin", oid("written by another process"))
    ]


def test_changes_made_between_cells_are_not_the_next_cells_writes(kernel: Kernel) -> None:
    Path("model.bin").write_text("v1")
    kernel.value("%version_add model.bin")
    Path("model.bin").write_text("changed in a terminal")
    past = time.time() - 60
    os.utime("model.bin", (past, past))
    kernel.value("x = 1", "idle")
    assert kernel.cell("idle").writes == ()


def test_a_cell_that_rewrites_a_file_names_the_cells_it_made_stale(
    kernel: Kernel, capsys: pytest.CaptureFixture[str]
) -> None:
    kernel.value("Path('data.csv').write_text('1,2')", "write")
    kernel.value("rows = Path('data.csv').read_text()", "read")
    kernel.value("also = Path('data.csv').read_text()", "read-too")
    assert "stale" not in capsys.readouterr().err
    kernel.value("Path('data.csv').write_text('3,4')", "write")
    read, too, write = kernel.cell("read"), kernel.cell("read-too"), kernel.cell("write")
    notices = capsys.readouterr().err.splitlines()
    assert notices == [
        f"nbvc: cell read [{read.execution_count}] is stale: it read data.csv "
        f"({oid('1,2')[:8]}), which cell write [{write.execution_count}] rewrote "
        f"(now {oid('3,4')[:8]}); rerun it",
        f"nbvc: cell read-too [{too.execution_count}] is stale: it read data.csv "
        f"({oid('1,2')[:8]}), which cell write [{write.execution_count}] rewrote "
        f"(now {oid('3,4')[:8]}); rerun it",
    ]
    kernel.value("rows = Path('data.csv').read_text()", "read")  # rerunning clears it
    kernel.value("x = 1", "other")
    kernel.value("Path('data.csv').write_text('3,4')", "write")  # the same content again
    assert capsys.readouterr().err == ""


def test_a_checkout_in_a_magic_makes_the_readers_stale(
    kernel: Kernel, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("data.csv").write_text("1,2")
    kernel.value("%version_add data.csv", "add")
    kernel.value("Path('data.csv').write_text('3,4')", "write")
    kernel.value("%version_add data.csv", "add")
    kernel.value("rows = Path('data.csv').read_text()", "read")
    capsys.readouterr()
    kernel.value("%version_checkout data.csv@v1", "checkout")
    read, checkout = kernel.cell("read"), kernel.cell("checkout")
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"nbvc: cell read [{read.execution_count}] is stale: it read data.csv (v2), which nbvc "
        f"changed in cell checkout [{checkout.execution_count}] (now v1); rerun it"
    )
    assert checkout.writes == ()  # nbvc's own writes are not the cell's lineage


def test_a_change_between_cells_makes_the_readers_stale(
    kernel: Kernel, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("data.csv").write_text("1,2")
    kernel.value("%version_add data.csv", "add")
    kernel.value("rows = Path('data.csv').read_text()", "read")
    Path("data.csv").write_text("3,4")  # a terminal, another program
    kernel.value("%version_add data.csv", "add")
    read = kernel.cell("read")
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"nbvc: cell read [{read.execution_count}] is stale: it read data.csv (v1), "
        "which changed between cells (now v2); rerun it"
    )
    kernel.value("rows = Path('data.csv').read_text()", "read")
    assert "stale" not in capsys.readouterr().err


def test_an_input_changed_since_an_earlier_session_is_named(
    kernel: Kernel, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("data.csv").write_text("1,2\n")
    kernel.value("%version_add data.csv")
    kernel.value("rows = Path('data.csv').read_text()", "read")
    kernel.value("rows = Path('data.csv').read_text()", "read")
    assert "stale" not in capsys.readouterr().err
    nbvc.unload_ipython_extension(kernel.shell)  # a new kernel session starts afresh
    Path("data.csv").write_text("3,4\n")
    nbvc.load_ipython_extension(kernel.shell)
    kernel.value("%version_add data.csv")
    kernel.value("rows = Path('data.csv').read_text()", "read")
    err = capsys.readouterr().err
    assert "nbvc: stale input: data.csv is v2 now; this cell read v1 last time" in err
    kernel.value("rows = Path('data.csv').read_text()", "other-cell")
    assert "stale" not in capsys.readouterr().err


def test_no_stale_warning_for_a_cell_reading_back_its_own_output(
    kernel: Kernel, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("counter.txt").write_text("0")
    bump = "p = Path('counter.txt')\np.write_text(str(int(p.read_text()) + 1))"
    for _ in range(3):
        kernel.value(bump, "bump")
    assert "stale" not in capsys.readouterr().err


def test_failed_cells_are_recorded_as_failed(kernel: Kernel) -> None:
    result = kernel.run("Path('half.txt').write_text('x')\n1 / 0", "boom")
    assert not result.success
    cell = kernel.cell("boom")
    assert not cell.success and [w.path for w in cell.writes] == ["half.txt"]


def test_working_folder_is_recorded_relative_to_the_root(kernel: Kernel) -> None:
    Path("sub").mkdir()
    kernel.value("import os\nos.chdir('sub')")
    kernel.value("Path('f.txt').write_text('x')", "in-sub")
    cell = kernel.cell("in-sub")
    assert cell.cwd == "sub" and [w.path for w in cell.writes] == ["sub/f.txt"]


def test_notebook_path_comes_from_jupyter_server(
    kernel: Kernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbvc.kernel import extension

    current = extension.current()
    assert current is not None
    current.tracer.close()  # the next cell opens the repo again and reads the environment
    monkeypatch.setenv("JPY_SESSION_NAME", str(kernel.root / "nb" / "analysis.ipynb"))
    kernel.value("x = 1", "c")
    assert kernel.cell("c").notebook == "nb/analysis.ipynb"


def test_outside_a_repo_nothing_is_recorded(
    kernel: Kernel, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("no-repo")
    kernel.value(f"import os\nos.chdir({str(elsewhere)!r})\nPath('x.txt').write_text('x')")
    kernel.value("Path('y.txt').write_text('y')")
    os.chdir(kernel.root)
    assert not (elsewhere / ".nbvc").exists()
    assert len(kernel.cells()) == 1  # only the cell that started inside the repo


def test_unloading_flushes_records(kernel: Kernel) -> None:
    from nbvc.core.repo import Repo

    kernel.value("a = 1")
    nbvc.unload_ipython_extension(kernel.shell)
    with Repo.open(str(kernel.root)) as repo:
        assert len(repo.records.ids("lineage")) == 1
    nbvc.load_ipython_extension(kernel.shell)


def test_cells_run_from_inside_a_cell_belong_to_it(kernel: Kernel) -> None:
    kernel.value('get_ipython().run_cell(\'Path("inner.txt").write_text("i")\')', "outer")
    (cell,) = kernel.cells()
    assert cell.cell_id == "outer" and [w.path for w in cell.writes] == ["inner.txt"]


def test_a_subprocess_writing_an_untracked_file_is_seen(kernel: Kernel) -> None:
    script = "open('untracked.txt', 'w').write('x')"
    kernel.value(f"import subprocess\nsubprocess.run([{sys.executable!r}, '-c', {script!r}])")
    assert [(w.path, w.oid) for w in kernel.cells()[-1].writes] == [("untracked.txt", oid("x"))]


def test_a_file_a_subprocess_reads_then_rewrites_is_both_read_and_written(kernel: Kernel) -> None:
    """What only inotify sees has no state from before the open: the content read is not guessed
    from the file as the cell left it."""
    Path("data.txt").write_text("old")
    past = time.time() - 60
    os.utime("data.txt", (past, past))
    script = "d = open('data.txt').read(); open('data.txt', 'w').write(d + ' new')"
    kernel.value(f"import subprocess\nsubprocess.run([{sys.executable!r}, '-c', {script!r}])")
    cell = kernel.cells()[-1]
    assert [(w.path, w.oid) for w in cell.writes] == [("data.txt", oid("old new"))]
    assert [r.path for r in cell.reads] == ["data.txt"]
    assert cell.reads[0].oid != oid("old new")  # never the content the cell left
    assert cell.reads[0].oid in (None, oid("old"))  # known only if the open was seen in time


def test_without_inotify_only_tracked_paths_are_stat_checked(
    kernel: Kernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbvc.kernel import extension

    monkeypatch.setenv("NBVC_LINEAGE_WATCH", "0")
    current = extension.current()
    assert current is not None
    current.tracer.close()  # the next cell opens the repo again, without inotify
    Path("model.bin").write_text("v1")
    kernel.value("%version_add model.bin")
    script = "open('untracked.txt', 'w').write('x'); open('model.bin', 'w').write('v2')"
    kernel.value(f"import subprocess\nsubprocess.run([{sys.executable!r}, '-c', {script!r}])")
    assert [(w.path, w.oid) for w in kernel.cells()[-1].writes] == [("model.bin", oid("v2"))]


def test_an_empty_inner_cell_does_not_end_the_outer_one(kernel: Kernel) -> None:
    kernel.value("get_ipython().run_cell('')\nPath('after.txt').write_text('a')", "outer")
    (cell,) = kernel.cells()
    assert [w.path for w in cell.writes] == ["after.txt"]


def test_silent_executions_are_not_recorded(kernel: Kernel) -> None:
    kernel.shell.run_cell("Path('quiet.txt').write_text('q')", silent=True)  # type: ignore[no-untyped-call]
    kernel.value("x = 1", "loud")
    assert [c.cell_id for c in kernel.cells()] == ["loud"]
    assert kernel.cell("loud").writes == ()


def test_a_tracer_failure_is_a_warning_not_a_failed_cell(
    kernel: Kernel, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from nbvc.core.lineage import files

    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(files, "describe", broken)
    assert kernel.run("Path('x.txt').write_text('x')").success
    err = capsys.readouterr().err
    assert "nbvc: could not record the lineage of this cell (RuntimeError: disk on fire)" in err


def test_cells_run_before_the_repo_and_before_the_extension_are_recorded(
    ipython: InteractiveShell,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A notebook that imports, loads nbvc and creates its repo in a first cell: `lineage
    --script` of what a later cell writes has those imports."""
    for name in ("NBVC_RUN_ID", "NBVC_ROOT", "NBVC_STAGE", "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no repo here yet
    assert ipython.history_manager is not None
    ipython.history_manager.reset()
    setup = (
        "%load_ext nbvc\nimport os\nfrom nbvc.core.repo import Repo\n"
        "os.makedirs('work')\n%cd work\nRepo.init('.')[0].close()"
    )
    write = "with open('out.json', 'w') as f:\n    f.write(json.dumps({'rows': ROWS}))"
    try:
        for source, cell_id in [("import json", "imports"), ("ROWS = 3", None), (setup, "setup")]:
            assert ipython.run_cell(source, store_history=True, cell_id=cell_id).success  # type: ignore[no-untyped-call]
        assert ipython.run_cell(write, store_history=True, cell_id="write").success  # type: ignore[no-untyped-call]
    finally:
        nbvc.unload_ipython_extension(ipython)
        os.chdir(tmp_path)
    os.chdir(tmp_path / "work")
    with Repo.open(str(tmp_path / "work")) as repo:
        cells = sorted(
            (CellRecord.from_record(r) for r in repo.records.iter(LINEAGE)), key=lambda c: c.started
        )
        assert [c.cell_id for c in cells] == [None, None, "setup", "write"]  # history has no ids
        assert len({c.session for c in cells}) == 1
        repo.add(["out.json"], producer=cells[-1].producer)
        made = script(repo, "out.json")
    assert "import json" in made.text and "ROWS = 3" in made.text and "%cd" not in made.text
    replay = tmp_path_factory.mktemp("replay")
    (replay / "replay.py").write_text(made.text)
    subprocess.run([sys.executable, "replay.py"], cwd=replay, check=True)
    assert (replay / "out.json").read_text() == (tmp_path / "work" / "out.json").read_text()


def test_a_reader_through_a_c_parser_is_made_stale_by_another_cell_and_rerun_clears_it(
    kernel: Kernel, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pandas")
    kernel.value("Path('data.csv').write_text('a,b\\n1,2\\n')", "make")
    kernel.value("import pandas as pd\nframe = pd.read_csv('data.csv', engine='c')", "load")
    assert "stale" not in capsys.readouterr().err
    kernel.value("Path('data.csv').write_text('a,b\\n3,4\\n')", "make")
    load, make = kernel.cell("load"), kernel.cell("make")
    (notice,) = [ln for ln in capsys.readouterr().err.splitlines() if "stale" in ln]
    assert notice.startswith(f"nbvc: cell load [{load.execution_count}] is stale: it read data.csv")
    assert f"which cell make [{make.execution_count}] rewrote" in notice
    kernel.value("frame = pd.read_csv('data.csv', engine='c')", "load")  # rerun: fresh again
    kernel.value("Path('data.csv').write_text('a,b\\n3,4\\n')", "make")  # same content
    assert "stale" not in capsys.readouterr().err
