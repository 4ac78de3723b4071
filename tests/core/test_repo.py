from __future__ import annotations

import os
from pathlib import Path

import pytest

from nbvc.core.errors import ConfigError, NotARepoError, PathError, RepoExistsError
from nbvc.core.repo import Repo
from tests.helpers import set_config


def test_init_creates_dot_folder_config_and_gitignore(tmp_path: Path) -> None:
    with Repo.init(str(tmp_path))[0] as repo:
        assert repo.root == str(tmp_path.resolve())
        dot = tmp_path / ".nbvc"
        assert (dot / "config").is_file()
        ignored = (dot / ".gitignore").read_text(encoding="utf-8").splitlines()
        for entry in ("/cache/", "/tmp/", "/index.db*", "/config.local"):
            assert entry in ignored
        assert repo.config.link_types == ("reflink", "copy")


def test_init_is_idempotent(tmp_path: Path) -> None:
    first, created = Repo.init(str(tmp_path))
    (tmp_path / ".nbvc" / "config").write_text("[core]\njobs = 3\n", encoding="utf-8")
    second, created_again = Repo.init(str(tmp_path))
    assert (created, created_again) == (True, False)
    assert second.config.jobs == 3  # the existing config was left alone
    first.close()
    second.close()


def test_init_inside_a_repo_is_refused_unless_nested(tmp_path: Path) -> None:
    Repo.init(str(tmp_path))[0].close()
    inner = tmp_path / "sub" / "project"
    inner.mkdir(parents=True)
    with pytest.raises(RepoExistsError, match="--nested"):
        Repo.init(str(inner))
    assert not (inner / ".nbvc").exists()
    nested, created = Repo.init(str(inner), nested=True)
    assert created
    assert nested.root == str(inner.resolve())
    nested.close()


def test_find_walks_up_from_a_subfolder(repo: Repo) -> None:
    sub = Path(repo.root, "a", "b")
    sub.mkdir(parents=True)
    with Repo.find(str(sub)) as found:
        assert found.root == repo.root
    os.chdir(sub)
    with Repo.find() as found:
        assert found.root == repo.root


def test_find_outside_a_repo(tmp_path: Path) -> None:
    with pytest.raises(NotARepoError, match="nbvc init"):
        Repo.find(str(tmp_path))
    with pytest.raises(NotARepoError, match="nbvc init"):
        Repo.open(str(tmp_path))


def test_invalid_config_is_a_config_error(repo: Repo) -> None:
    root = Path(repo.root)
    set_config(root, "[core\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Repo.open(repo.root)
    set_config(root, '[core]\nlink_types = ["teleport"]\n')
    with pytest.raises(ConfigError, match="link_types"):
        Repo.open(repo.root)
    set_config(root, "[core]\nlink_types = []\n")
    with pytest.raises(ConfigError, match="link_types"):
        Repo.open(repo.root)
    set_config(root, "[core]\njobs = -1\n")
    with pytest.raises(ConfigError, match="jobs"):
        Repo.open(repo.root)


def test_local_config_overrides_shared_config(repo: Repo) -> None:
    set_config(Path(repo.root), '[core]\nlink_types = ["hardlink", "copy"]\njobs = 2\n')
    Path(repo.dot, "config.local").write_text("[core]\njobs = 5\n", encoding="utf-8")
    with Repo.open(repo.root) as reopened:
        assert reopened.config.link_types == ("hardlink", "copy")
        assert reopened.config.jobs == 5
        assert reopened.config.workers == 5


def test_artifact_names_are_repo_relative_posix(repo: Repo) -> None:
    Path(repo.root, "data", "raw").mkdir(parents=True)
    assert repo.artifact("data/raw/x.csv") == "data/raw/x.csv"
    assert repo.artifact("./data//raw/../raw/x.csv") == "data/raw/x.csv"
    assert repo.artifact(os.path.join(repo.root, "model.bin")) == "model.bin"
    assert repo.artifact("model.bin.nbvc") == "model.bin"
    os.chdir(Path(repo.root, "data"))
    assert repo.artifact("raw") == "data/raw"
    assert repo.artifact("../model.bin") == "model.bin"


@pytest.mark.parametrize(
    ("user_path", "message"),
    [
        ("..", "outside the nbvc repo"),
        ("../elsewhere/file", "outside the nbvc repo"),
        ("/etc/passwd", "outside the nbvc repo"),
        (".", "outside the nbvc repo"),
        ("", "empty"),
        ("a\x00b", "invalid"),
        (".nbvc/config", "inside .nbvc/"),
        (".git/HEAD", "inside .git/"),
    ],
)
def test_artifact_refuses_unusable_paths(repo: Repo, user_path: str, message: str) -> None:
    with pytest.raises(PathError, match=message):
        repo.artifact(user_path)


def test_artifact_refuses_a_path_through_a_symlinked_folder(repo: Repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("x", encoding="utf-8")
    Path(repo.root, "escape").symlink_to(outside)
    with pytest.raises(PathError, match="symlink that leads out of the repo"):
        repo.artifact("escape/secret.txt")
