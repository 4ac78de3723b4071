"""DVC's formats, checked against the real `dvc` and `dvc_data` packages: md5 of files (DVC 3 and
DVC 2's dos2unix), folder listings, `.dvcignore` patterns, `.dvc/config`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dvc.ignore import DvcIgnorePatterns
from dvc_data.hashfile.hash import file_md5 as dvc_file_md5
from dvc_objects.fs import localfs

from nbvc.core.adopt.dvc_remotes import remote_config
from nbvc.core.errors import ConfigError
from nbvc.core.pipeline import dvc_config
from nbvc.core.pipeline.dvc_hash import LEGACY, MD5, dir_md5, file_md5, listing_bytes
from nbvc.core.pipeline.dvc_ignore import DvcIgnore

TEXTS = [
    b"",
    b"plain\n",
    b"windows\r\nlines\r\n",
    b"\x00binary\r\n",
    bytes(range(256)) * 3,
    b"a" * (1 << 20) + b"\r\n" + b"b" * 10,  # CRLF across DVC's chunk boundary
]


@pytest.mark.parametrize("data", TEXTS, ids=range(len(TEXTS)))
@pytest.mark.parametrize("name", [MD5, LEGACY])
def test_file_md5_is_dvcs(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / "f"
    path.write_bytes(data)
    assert file_md5(str(path), name) == dvc_file_md5(str(path), localfs, name=name)


def test_folder_hash_is_dvcs(tmp_path: Path) -> None:
    from dvc_data.hashfile.hash_info import HashInfo
    from dvc_data.hashfile.meta import Meta
    from dvc_data.hashfile.tree import Tree

    entries = [("b/x.csv", "0" * 32), ("a.txt", "1" * 32), ("b/é.txt", "2" * 32)]
    tree = Tree()
    for rel, md5 in entries:
        tree.add(tuple(rel.split("/")), Meta(size=1), HashInfo("md5", md5))
    tree.digest()
    assert dir_md5(listing_bytes(entries)) == tree.hash_info.value
    assert listing_bytes(entries) == tree.as_bytes()


PATTERNS = [
    "*.tmp",
    "/build",
    "logs/",
    "data/**/cache",
    "!keep.tmp",
    "a?c",
    "[0-9]*.bin",
    "**/deep",
    "sub/*.json",
    "\\#literal",
]
PATHS = [
    ("x.tmp", False),
    ("d/x.tmp", False),
    ("d/keep.tmp", False),
    ("build", True),
    ("src/build", True),
    ("logs", True),
    ("logs", False),
    ("a/logs/f", False),
    ("data/1/2/cache", True),
    ("data/cache", True),
    ("abc", False),
    ("abbc", False),
    ("7.bin", False),
    ("x7.bin", False),
    ("q/deep", True),
    ("sub/a.json", False),
    ("x/sub/a.json", False),
    ("#literal", False),
    (".git", True),
    ("d/.git/HEAD", False),
    ("d/.dvc/config", False),
    ("d/.hg", True),
    ("d/.hg", False),
]


def test_dvcignore_matches_like_dvc(tmp_path: Path) -> None:
    text = "\n".join(["# comment", "", *PATTERNS]) + "\n"
    ours = DvcIgnore({".dvcignore": text})
    default = [".hg/", ".git/", ".git", ".dvc/"]
    theirs = DvcIgnorePatterns([*default, *PATTERNS], str(tmp_path), os.sep)
    for path, is_dir in PATHS:
        dirname, basename = os.path.split(os.path.join(str(tmp_path), path))
        assert ours.ignored(path, is_dir) == theirs.matches(dirname, basename, is_dir), path


def test_nested_dvcignore_applies_below_its_folder() -> None:
    rules = DvcIgnore({".dvcignore": "*.log\n", "data/.dvcignore": "raw/\n!keep.log\n"})
    assert rules.ignored("top.log") and rules.ignored("data/raw/x")
    assert not rules.ignored("raw/x") and not rules.ignored("data/keep.log")
    assert rules.keep("data", ["a.csv", "raw/b", "keep.log", "c.log"]) == ["a.csv", "keep.log"]


def test_dvc_config_merges_local_and_finds_the_cache(tmp_path: Path) -> None:
    (tmp_path / ".dvc").mkdir()
    (tmp_path / ".dvc" / "config").write_text(
        "[core]\n    remote = s\n[cache]\n    dir = ../shared-cache\n"
        "['remote \"s\"']\n    url = s3://bucket/x\n    endpointurl = http://e\n"
    )
    (tmp_path / ".dvc" / "config.local").write_text(
        "['remote \"s\"']\n    access_key_id = AK\n    secret_access_key = SK\n"
    )
    config = dvc_config.load(str(tmp_path))
    assert config.cache_dir() == str(tmp_path / "shared-cache")
    assert config.default_remote() == "s"
    cfg = remote_config("s", config.remotes()["s"])
    assert cfg.url == "s3://bucket/x"
    assert cfg.options == {"endpoint_url": "http://e", "key": "AK", "secret": "SK"}
    (tmp_path / ".dvc" / "config").write_text("[core\nbroken")
    with pytest.raises(ConfigError, match="cannot be read as a DVC config"):
        dvc_config.load(str(tmp_path))


@pytest.mark.parametrize(
    "rows",
    [
        [{"md5": "0" * 32, "relpath": "../escape"}],
        [{"md5": "0" * 32, "relpath": "/abs"}],
        [{"md5": "0" * 32, "relpath": "a//b"}],
        [{"md5": "../../x", "relpath": "a"}],
        {"md5": "0" * 32},
    ],
)
def test_listings_that_leave_the_folder_are_refused(rows: object) -> None:
    import json

    from nbvc.core.pipeline.dvc_hash import parse_listing
    from nbvc.core.pipeline.dvc_lock import entry_hash

    with pytest.raises(ValueError, match="not a DVC folder listing"):
        parse_listing(json.dumps(rows).encode())
    assert entry_hash({"path": "x", "md5": "../../etc/passwd"}) is None
    assert entry_hash({"path": "x", "md5": "a" * 32 + ".dir", "nfiles": 2}) is not None
