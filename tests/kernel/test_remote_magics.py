"""%version_push and %version_pull against a real remote folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nbvc.cli.main import main
from nbvc.core.repo import Repo
from tests.kernel.kit import Kernel


@pytest.fixture
def store(kernel: Kernel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    assert main(["remote", "add", "store", str(folder), "--default"]) == 0
    return folder


def clone(source: Path, target: Path) -> None:
    """What a git clone brings: the config and the pointer files, no cache, no records."""
    (target / ".nbvc").mkdir(parents=True)
    shutil.copy(source / ".nbvc" / "config", target / ".nbvc" / "config")
    for pointer in source.rglob("*.nbvc"):
        if pointer.is_file() and ".nbvc" not in pointer.relative_to(source).parts[:-1]:
            dest = target / pointer.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(pointer, dest)


def test_push_then_pull_into_a_clone(
    kernel: Kernel,
    store: Path,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kernel.value("Path('model.bin').write_text('weights')", "train")
    kernel.value("%version_add model.bin")
    pushed = repr(kernel.value("%version_push"))
    # model.bin and the sources of the two cells lineage recorded (so scripts work elsewhere)
    assert "pushed 3 objects (" in pushed and " to store" in pushed
    again = repr(kernel.value("%version_push model.bin"))
    # model.bin is there: only the record of the last cell goes, with that cell's source
    assert "pushed 1 object (13 B) and 1 record to store" in again  # one engine summary
    other = tmp_path_factory.mktemp("clone")
    clone(kernel.root, other)
    os.chdir(other)
    pulled = kernel.value("%version_pull")
    assert (other / "model.bin").read_text() == "weights"
    assert "checked out" in pulled._repr_html_() and "model.bin" in repr(pulled)
    with Repo.open(str(other)) as repo:
        version = repo.history.latest("model.bin")
        assert version is not None and version.producer is not None
        producer = version.producer.removeprefix("cell:")
        assert producer in repo.records.ids("lineage")  # the lineage travelled with the data
        source_oid = repo.records.read("lineage", producer)["source_oid"]
        assert repo.odb.exists(source_oid)  # and so did the producing cell's source
    assert "unrecognized arguments" in kernel.usage_error("%version_pull --bogus", capsys)


def test_errors(kernel: Kernel, capsys: pytest.CaptureFixture[str]) -> None:
    assert "remote" in kernel.usage_error("%version_push", capsys).lower()
    assert "remote" in kernel.usage_error("%version_pull -r nowhere", capsys).lower()


def test_pull_reports_data_the_remote_lacks(
    kernel: Kernel,
    store: Path,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("a.txt").write_text("a")
    kernel.value("%version_add a.txt")
    other = tmp_path_factory.mktemp("clone")
    clone(kernel.root, other)
    os.chdir(other)
    message = kernel.usage_error("%version_pull", capsys)
    assert "a.txt" in message


def test_a_remote_added_while_the_kernel_runs_is_used(
    kernel: Kernel, tmp_path_factory: pytest.TempPathFactory
) -> None:
    later = tmp_path_factory.mktemp("later-store")
    Path("a.txt").write_text("a")
    kernel.value("%version_add a.txt")  # the kernel's repo is open, its config read
    kernel.value(f"%version_remote add later {later} --default")  # another process writes it
    assert " to later" in repr(kernel.value("%version_push"))
    assert "on later" in repr(kernel.value("%version_status --remote"))
