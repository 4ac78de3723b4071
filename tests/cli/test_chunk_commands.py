"""`nbvc du`, `nbvc gc --rechunk` and `nbvc fsck` on chunked files, through the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from nbvc.core.repo import Repo
from tests.conftest import Cli
from tests.core.test_chunked_maintenance import damage_chunk
from tests.helpers import set_config

SIZE = 2 << 20


@pytest.fixture
def versions(cli: Cli, repo: Repo) -> Repo:
    """Three versions of ``ckpt.bin`` that differ by a small edit each, chunked from 64 KiB."""
    set_config(Path(repo.root), "[cache]\nchunk_min_size = 65536\n")
    content = bytearray(random.Random(1).randbytes(SIZE))
    for n in range(3):
        content[n * 500_000 : n * 500_000 + 50_000] = random.Random(n).randbytes(50_000)
        Path(repo.root, "ckpt.bin").write_bytes(content)
        cli.ok("add", "ckpt.bin")
    return Repo.open(repo.root)


def test_du_shows_logical_and_stored_size(cli: Cli, versions: Repo) -> None:
    out = cli.ok("du")
    row = next(line for line in out.splitlines() if line.startswith("ckpt.bin"))
    assert "6.0 MiB" in row and "2." in row.split()[-1]  # 3 versions, a bit over one copy
    assert "(whole cache)" in out and "chunks in" in out
    doc = json.loads(cli.ok("du", "--json", "ckpt.bin"))
    (usage,) = doc["artifacts"]
    assert usage["versions"] == 3 and usage["logical_size"] == 3 * SIZE
    assert SIZE < usage["stored_size"] < 1.3 * SIZE
    assert usage["dedup_ratio"] > 2.3


def test_gc_rechunk_reports_what_it_converted(cli: Cli, repo: Repo) -> None:
    set_config(Path(repo.root), "[cache]\nchunk_min_size = 0\n")
    Path(repo.root, "big.bin").write_bytes(random.Random(2).randbytes(SIZE))
    cli.ok("add", "big.bin")
    set_config(Path(repo.root), "[cache]\nchunk_min_size = 65536\n")
    assert "would store 1 whole object as chunks (2.0 MiB)" in cli.ok(
        "gc", "--rechunk", "--dry-run"
    )
    assert "store 1 whole object as chunks" in cli.ok("gc", "--rechunk")
    oid = Repo.open(repo.root).history.versions("big.bin")[0].oid
    assert Repo.open(repo.root).odb.is_chunked(oid)
    assert "all intact" in cli.ok("fsck")


def test_fsck_names_the_versions_of_a_damaged_chunk(cli: Cli, versions: Repo) -> None:
    v1 = versions.history.by_number("ckpt.bin", 1).oid
    digest = damage_chunk(versions, v1, index=25)  # past the edits: shared by every version
    result = cli("fsck")
    assert result.code == 1
    line = next(x for x in result.out.splitlines() if x.startswith("corrupt chunk"))
    assert digest.hex()[:16] in line
    assert all(f"ckpt.bin@v{n}" in line for n in (1, 2, 3))
    assert "`nbvc fsck --remote NAME` fetches good copies" in result.out
