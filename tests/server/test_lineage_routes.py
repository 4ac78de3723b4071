"""The lineage routes: an artifact's producing cells and inputs, a notebook's cells, the script."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from tests.lineage.kit import run_cell
from tests.server.conftest import Api


@pytest.fixture
def made(jp_root_dir: Path) -> Iterator[Repo]:
    """``lab/``: a cell read ``raw.csv`` and wrote ``model.txt``, then model.txt was versioned."""
    path = jp_root_dir / "lab"
    path.mkdir()
    (path / "raw.csv").write_text("1\n2\n")
    repo, _ = Repo.init(str(path))
    with repo:
        repo.add([str(path / "raw.csv")], message="data")
        cell = run_cell(
            repo,
            "n = len(open('raw.csv').read().split())\n",
            notebook="train.ipynb",
            cell_id="c1",
            reads=["raw.csv"],
        )
        run_cell(
            repo,
            "open('model.txt', 'w').write(str(n))\n",
            notebook="train.ipynb",
            cell_id="c2",
        )
        repo.add([str(path / "model.txt")], message="model", producer=None)
        assert cell.reads[0].artifact == "raw.csv"
        yield repo


async def test_lineage_of_an_artifact_names_the_producing_cell(api: Api, made: Repo) -> None:
    root = (await api.ok("GET", "lineage", path="lab", artifact="model.txt"))["root"]
    assert root["type"] == "artifact" and root["label"] == "model.txt@v1"
    (writer,) = root["producers"]
    assert writer["type"] == "cell" and writer["cell_id"] == "c2"
    assert writer["notebook"] == "train.ipynb"
    assert writer["notebook_path"] == "lab/train.ipynb"  # what JupyterLab opens
    upstream = [node for node in writer["inputs"] if node["type"] == "cell"]
    assert [(n["cell_id"], n["via"]) for n in upstream] == [("c1", ["n"])]
    (read,) = upstream[0]["inputs"]
    assert read["type"] == "artifact" and read["label"] == "raw.csv@v1"


async def test_lineage_of_a_version_by_ref(api: Api, made: Repo) -> None:
    root = (await api.ok("GET", "lineage", path="lab", artifact="raw.csv", ref="v1"))["root"]
    assert root["label"] == "raw.csv@v1" and root["producers"] == []


async def test_lineage_errors(api: Api, made: Repo) -> None:
    missing = await api.get("lineage", path="lab", artifact="nothing.bin")
    assert missing.status == 404
    assert (await api.get("lineage", path="lab")).status == 400
    assert (await api.get("lineage", path="lab", artifact="../x")).status == 403
    assert (await api.get("lineage", path="lab", artifact="model.txt", ref="v9")).status == 404
    assert (await api.get("lineage", path="lab", artifact="model.txt", ref="a:b")).status == 400


async def test_notebook_lineage_lists_its_cells_with_reads_and_writes(api: Api, made: Repo) -> None:
    doc = await api.ok("GET", "lineage/notebook", path="lab", notebook="train.ipynb")
    assert doc["notebook"] == "train.ipynb" and doc["notebook_path"] == "lab/train.ipynb"
    assert [c["cell_id"] for c in doc["cells"]] == ["c1", "c2"]
    assert [r["path"] for r in doc["cells"][0]["reads"]] == ["raw.csv"]
    assert [w["path"] for w in doc["cells"][1]["writes"]] == ["model.txt"]
    empty = await api.ok("GET", "lineage/notebook", path="lab", notebook="other.ipynb")
    assert empty["cells"] == [] and empty["session"] is None
    assert (await api.get("lineage/notebook", path="lab", notebook="/etc/x")).status == 400


async def test_script_of_a_version(api: Api, made: Repo) -> None:
    doc = await api.ok("GET", "lineage/script", path="lab", artifact="model.txt")
    assert "len(open('raw.csv').read().split())" in doc["script"]
    assert "open('model.txt', 'w')" in doc["script"]
    assert len(doc["cells"]) == 2
    none = await api.get("lineage/script", path="lab", artifact="raw.csv")
    assert none.status == 404 and "no record of a notebook cell" in none.body["message"]
