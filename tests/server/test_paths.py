"""Request paths are resolved under a root and refused when they escape it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nbvc.server.errors import ApiError
from nbvc.server.paths import relative_to, resolve


@pytest.fixture
def root(tmp_path: Path) -> str:
    (tmp_path / "root" / "sub").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    return str(tmp_path / "root")


@pytest.mark.parametrize("relative", ["", ".", "sub", "sub/", "sub/../sub", "new/file.txt"])
def test_paths_inside_the_root(root: str, relative: str) -> None:
    resolved = resolve(root, relative)
    assert resolved == os.path.normpath(os.path.join(root, relative))


@pytest.mark.parametrize("relative", ["..", "../outside", "sub/../../outside", "sub/../.."])
def test_dotdot_escapes_are_403(root: str, relative: str) -> None:
    with pytest.raises(ApiError) as caught:
        resolve(root, relative)
    assert caught.value.status_code == 403


def test_absolute_paths_are_400(root: str) -> None:
    with pytest.raises(ApiError) as caught:
        resolve(root, os.path.join(root, "sub"))
    assert caught.value.status_code == 400
    assert "relative" in caught.value.message


def test_symlink_out_of_the_root_is_403(root: str) -> None:
    os.symlink(os.path.join(root, "..", "outside"), os.path.join(root, "door"))
    for relative in ("door", "door/file.txt"):
        with pytest.raises(ApiError) as caught:
            resolve(root, relative)
        assert caught.value.status_code == 403


def test_symlink_inside_the_root_keeps_its_name(root: str) -> None:
    os.symlink("sub", os.path.join(root, "alias"))
    assert resolve(root, "alias") == os.path.join(root, "alias")


def test_nul_and_overlong_paths_are_400(root: str) -> None:
    for relative in ("a\x00b", "a" * 5000):
        with pytest.raises(ApiError) as caught:
            resolve(root, relative)
        assert caught.value.status_code == 400


def test_must_exist(root: str) -> None:
    with pytest.raises(ApiError) as caught:
        resolve(root, "nope", must_exist=True)
    assert caught.value.status_code == 404


def test_relative_to(root: str) -> None:
    assert relative_to(root, root) == ""
    assert relative_to(root, os.path.join(root, "sub", "x")) == "sub/x"
