from __future__ import annotations

from pathlib import Path

from nbvc.core.repo import Repo
from tests.conftest import Cli
from tests.helpers import write


def test_tag_and_move(cli: Cli, repo: Repo) -> None:
    for content in ("1", "2"):
        write(Path(repo.root, "m"), content)
        cli.ok("add", "m")
    assert cli.ok("tag", "m@v1", "prod").strip() == "m: tag prod -> v1"
    assert cli.ok("tag", "m@v2", "prod").strip() == "m: tag prod moved from v1 to v2"
    assert cli.ok("tag", "m@v2", "prod").strip() == "m: tag prod already at v2"
    assert cli.ok("tag", "m", "latest").strip() == "m: tag latest -> v2"
    assert [v.tags for v in repo.log("m")] == [("latest", "prod"), ()]
    assert cli.ok("checkout", "m@v1").strip() == "m: restored v1 (1 written, 0 removed)"
    assert Path(repo.root, "m").read_text(encoding="utf-8") == "1"
    cli.ok("checkout", "m@prod")
    assert Path(repo.root, "m").read_text(encoding="utf-8") == "2"


def test_tag_failures(cli: Cli, repo: Repo) -> None:
    write(Path(repo.root, "m"), "1")
    cli.ok("add", "m")
    assert "cannot be a tag" in cli.error("tag", "m@v1", "v2")
    assert "cannot be a tag" in cli.error("tag", "m@v1", "bad name")
    assert "no version v4" in cli.error("tag", "m@v4", "prod")
    assert "not tracked" in cli.error("tag", "nothing", "prod")
    assert repo.log("m")[0].tags == ()


def test_tag_name_first_says_the_order(cli: Cli, repo: Repo) -> None:
    write(Path(repo.root, "m"), "1")
    cli.ok("add", "m")
    message = cli.error("tag", "prod", "m@v1")
    assert message.strip() == "nbvc: error: the version comes first: nbvc tag m@v1 prod"
