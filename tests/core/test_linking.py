"""Cache link types, and that no link type lets the workspace corrupt the cache."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from nbvc.core.errors import ConfigError, CorruptObjectError
from nbvc.core.repo import Repo
from tests.helpers import (
    corrupt_object,
    is_read_only,
    make_tree,
    object_path,
    read_tree,
    set_config,
    set_link_types,
    write,
)

FILES = {"a.bin": "alpha", "sub/b.bin": "beta", "run.sh": "#!/bin/sh\necho hi\n"}


def reopen(repo: Repo) -> Repo:
    """A repo object that reads the config as it is now."""
    repo.close()
    return Repo.open(repo.root)


@pytest.fixture
def stored(repo: Repo) -> Repo:
    """``data`` (with an executable) and ``m`` added, then deleted from the workspace."""
    root = Path(repo.root)
    make_tree(root / "data", dict(FILES))
    (root / "data" / "run.sh").chmod(0o755)
    write(root / "m", "model")
    repo.add(["data", "m"])
    shutil.rmtree(root / "data")
    (root / "m").unlink()
    return repo


def oid_at(repo: Repo, rel: str) -> str:
    tree = repo.workspace.load_tree(repo.history.by_number("data", 1).oid)
    return tree.files[rel].oid


def test_copy_makes_independent_files(stored: Repo) -> None:
    set_link_types(Path(stored.root), "copy")
    repo = reopen(stored)
    repo.checkout("data")
    path = Path(repo.root, "data", "a.bin")
    assert not os.path.samefile(path, object_path(repo, oid_at(repo, "a.bin")))
    assert path.stat().st_nlink == 1
    assert not is_read_only(path)
    repo.close()


def test_reflink_falls_back_to_the_next_type(stored: Repo) -> None:
    """The default (reflink, copy) works everywhere: where reflinks aren't supported, copies."""
    stored.checkout("data")
    stored.checkout("m")
    assert read_tree(Path(stored.root, "data")) == {k: v.encode() for k, v in FILES.items()}
    assert Path(stored.root, "m").read_text(encoding="utf-8") == "model"
    assert {s.state for s in stored.status()} == {"unchanged"}


def test_hardlink_shares_the_read_only_object(stored: Repo) -> None:
    set_link_types(Path(stored.root), "hardlink", "copy")
    repo = reopen(stored)
    repo.checkout("data")
    repo.checkout("m")
    path = Path(repo.root, "data", "a.bin")
    assert os.path.samefile(path, object_path(repo, oid_at(repo, "a.bin")))
    assert is_read_only(path)
    assert os.path.samefile(Path(repo.root, "m"), object_path(repo, repo.log("m")[0].oid))
    assert {s.state for s in repo.status()} == {"unchanged"}
    repo.close()


def test_symlink_points_into_the_cache(stored: Repo) -> None:
    set_link_types(Path(stored.root), "symlink")
    repo = reopen(stored)
    repo.checkout("data")
    path = Path(repo.root, "data", "sub", "b.bin")
    assert path.is_symlink()
    assert os.path.realpath(path) == str(object_path(repo, oid_at(repo, "sub/b.bin")))
    assert path.read_text(encoding="utf-8") == "beta"
    assert repo.status(["data"])[0].state == "unchanged"
    repo.close()


@pytest.mark.parametrize("link_type", ["hardlink", "symlink"])
def test_executables_keep_their_mode_under_links(stored: Repo, link_type: str) -> None:
    set_link_types(Path(stored.root), link_type, "copy")
    repo = reopen(stored)
    repo.checkout("data")
    assert os.access(Path(repo.root, "data", "run.sh"), os.X_OK)
    assert repo.status(["data"])[0].state == "unchanged"
    repo.close()


@pytest.mark.parametrize("then", ["hardlink", "copy", "symlink"])
def test_checkout_replaces_a_hardlinked_file_never_writes_through(repo: Repo, then: str) -> None:
    root = Path(repo.root)
    model = write(root / "m", "version one")
    repo.add(["m"])
    model.write_text("version two, longer", encoding="utf-8")
    repo.add(["m"])
    set_link_types(root, "hardlink")
    repo = reopen(repo)
    repo.checkout("m@v1")
    v1_object = object_path(repo, repo.history.by_number("m", 1).oid)
    assert os.path.samefile(model, v1_object)
    set_link_types(root, then)
    repo = reopen(repo)
    repo.checkout("m@v2")
    assert model.read_text(encoding="utf-8") == "version two, longer"
    assert v1_object.read_text(encoding="utf-8") == "version one"
    assert is_read_only(v1_object)
    assert repo.fsck().ok
    repo.close()


def test_linked_checkout_verifies_objects_it_does_not_read(stored: Repo) -> None:
    """A hardlink copies no bytes, so the object must be checked before it is linked."""
    set_link_types(Path(stored.root), "hardlink")
    repo = reopen(stored)
    oid = oid_at(repo, "a.bin")
    corrupt_object(repo, oid, b"ALPHA")
    with pytest.raises(CorruptObjectError):
        repo.checkout("data")
    assert not repo.odb.exists(oid)
    repo.close()


def test_link_type_order_is_respected(stored: Repo) -> None:
    set_link_types(Path(stored.root), "symlink", "hardlink", "copy")
    repo = reopen(stored)
    repo.checkout("m")
    assert Path(repo.root, "m").is_symlink()
    repo.close()


def test_invalid_link_types_are_a_config_error(repo: Repo) -> None:
    set_link_types(Path(repo.root), "hardlink", "wormhole")
    with pytest.raises(ConfigError, match=r"link_types.*reflink, hardlink, symlink, copy"):
        Repo.open(repo.root)


@pytest.mark.parametrize("link_type", ["hardlink", "symlink"])
def test_add_relinks_workspace_files_into_the_cache(repo: Repo, link_type: str) -> None:
    root = Path(repo.root)
    set_link_types(root, link_type, "copy")
    repo = reopen(repo)
    make_tree(root / "data", dict(FILES))
    (root / "data" / "run.sh").chmod(0o755)
    repo.add(["data"])
    tree = repo.workspace.load_tree(repo.history.by_number("data", 1).oid)
    plain = root / "data" / "a.bin"
    assert os.path.samefile(plain, object_path(repo, tree.files["a.bin"].oid))
    assert plain.is_symlink() == (link_type == "symlink")
    script = root / "data" / "run.sh"
    assert os.access(script, os.X_OK)  # an executable stays a runnable copy
    assert not script.is_symlink()
    assert repo.status(["data"])[0].state == "unchanged"
    assert repo.add(["data"])[0].created is False
    assert repo.fsck().ok
    repo.close()


@pytest.mark.parametrize("chunked", [False, True])
def test_a_big_object_trusted_by_its_stat_is_still_checked_once_damaged(
    repo: Repo, chunked: bool
) -> None:
    """Big objects are trusted by their stat-cache entry (they were hashed when stored), so a
    copy need not re-hash them; damage changes the stat, and checkout then refuses the object.
    A chunked object is trusted by its manifest's entry and the mtimes of its packs."""
    set_config(Path(repo.root), f"[cache]\nchunk_min_size = {4 << 20 if chunked else 0}\n")
    repo = reopen(repo)
    big = Path(repo.root, "big.bin")
    big.write_bytes(os.urandom(9 << 20))  # above hashing.BIG_FILE
    repo.add(["big.bin"])
    big.unlink()
    repo.checkout("big.bin")  # trusted: copied without re-hashing, and intact
    oid = repo.history.by_number("big.bin", 1).oid
    assert blake3_of(big) == oid
    big.unlink()
    time.sleep(0.01)  # a new mtime, as any write gives
    assert repo.odb.is_chunked(oid) == chunked
    if chunked:
        (pack,) = Path(repo.root, ".nbvc/cache/packs").glob("*.pack")
        pack.chmod(0o644)
        with open(pack, "r+b") as handle:
            handle.seek(5 << 20)
            handle.write(b"bit rot")
    else:
        corrupt_object(repo, oid)
    with pytest.raises(CorruptObjectError):
        repo.checkout("big.bin")
    assert not big.exists()
    repo.close()


def blake3_of(path: Path) -> str:
    from blake3 import blake3

    return blake3(path.read_bytes()).hexdigest()
