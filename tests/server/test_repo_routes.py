"""GET /repo, /status and /changes through an in-process jupyter server."""

from __future__ import annotations

from pathlib import Path

from tests.server.conftest import Api, Project, git_init


async def test_repo_info_names_the_root_relative_to_the_server_root(
    api: Api, project: Project
) -> None:
    info = await api.ok("GET", "repo", path="proj")
    assert info == {"root": "proj", "tracked": 2, "git": False, "nbvc_version": "0.1.0"}


async def test_repo_is_found_from_a_file_or_folder_below_its_root(
    api: Api, project: Project
) -> None:
    assert (await api.ok("GET", "repo", path="proj/data"))["root"] == "proj"
    assert (await api.ok("GET", "repo", path="proj/model.bin"))["root"] == "proj"


async def test_repo_reports_git(api: Api, project: Project) -> None:
    git_init(project.path)
    assert (await api.ok("GET", "repo", path="proj"))["git"] is True


async def test_repo_at_the_server_root_is_named_empty(api: Api, jp_root_dir: Path) -> None:
    from nbvc.core.repo import Repo

    Repo.init(str(jp_root_dir))[0].close()
    assert (await api.ok("GET", "repo"))["root"] == ""


async def test_no_repo_is_404_with_a_hint(api: Api, project: Project, jp_root_dir: Path) -> None:
    (jp_root_dir / "plain").mkdir()
    answer = await api.get("repo", path="plain")
    assert answer.status == 404
    assert "nbvc init" in answer.body["message"]


async def test_a_repo_above_the_server_root_is_not_used(api: Api, jp_root_dir: Path) -> None:
    from nbvc.core.repo import Repo

    Repo.init(str(jp_root_dir.parent))[0].close()
    answer = await api.get("repo")
    assert answer.status == 404
    assert str(jp_root_dir.parent) not in answer.body["message"]


async def test_missing_location_is_404(api: Api, project: Project) -> None:
    answer = await api.get("repo", path="proj/nope")
    assert answer.status == 404
    assert answer.body == {"message": "proj/nope does not exist"}


async def test_status_reports_every_tracked_artifact(api: Api, project: Project) -> None:
    project.write("data/c.csv", "new\n")
    doc = await api.ok("GET", "status", path="proj")
    by_path = {s["path"]: s for s in doc["artifacts"]}
    assert set(by_path) == {"data", "model.bin"}
    assert by_path["model.bin"]["state"] == "unchanged"
    assert by_path["model.bin"]["version"] == 2
    assert by_path["data"]["state"] == "modified"
    assert by_path["data"]["changes"] == {"added": ["c.csv"], "removed": [], "modified": []}


async def test_status_of_named_artifacts(api: Api, project: Project) -> None:
    (project.path / "model.bin").unlink()
    doc = await api.ok("GET", "status", path="proj", artifact=["model.bin"])
    assert [(s["path"], s["state"]) for s in doc["artifacts"]] == [("model.bin", "deleted")]


async def test_status_of_an_untracked_path_is_404(api: Api, project: Project) -> None:
    project.write("notes.txt", "x")
    answer = await api.get("status", path="proj", artifact="notes.txt")
    assert answer.status == 404
    assert "nbvc add notes.txt" in answer.body["message"]


async def test_status_refuses_too_many_artifacts(api: Api, project: Project) -> None:
    answer = await api.get("status", path="proj", artifact=[f"a{i}" for i in range(101)])
    assert answer.status == 400


async def test_change_token_is_stable_until_something_changes(api: Api, project: Project) -> None:
    first = await api.ok("GET", "changes", path="proj")
    assert first["changed"] is True
    again = await api.ok("GET", "changes", path="proj", since=first["token"])
    assert again == {"token": first["token"], "changed": False}


async def test_change_token_moves_on_a_new_version(api: Api, project: Project) -> None:
    token = (await api.ok("GET", "changes", path="proj"))["token"]
    project.write("model.bin", "weights 3\n")
    project.add("model.bin")
    assert (await api.ok("GET", "changes", path="proj", since=token))["changed"] is True


async def test_change_token_moves_on_a_tag(api: Api, project: Project) -> None:
    from nbvc.core.repo import Repo

    token = (await api.ok("GET", "changes", path="proj"))["token"]
    with Repo.open(str(project.path)) as repo:
        repo.tag(str(project.path / "model.bin"), "prod")
    assert (await api.ok("GET", "changes", path="proj", since=token))["changed"] is True


async def test_change_token_moves_on_checkout_and_on_a_replaced_file(
    api: Api, project: Project
) -> None:
    from nbvc.core.repo import Repo

    token = (await api.ok("GET", "changes", path="proj"))["token"]
    with Repo.open(str(project.path)) as repo:
        repo.checkout(str(project.path / "model.bin") + "@v1")
    moved = await api.ok("GET", "changes", path="proj", since=token)
    assert moved["changed"] is True
    project.write("model.bin.tmp", "edited\n").replace(project.path / "model.bin")
    again = await api.ok("GET", "changes", path="proj", since=moved["token"])
    assert again["changed"] is True


async def test_change_token_ignores_untracked_files(api: Api, project: Project) -> None:
    token = (await api.ok("GET", "changes", path="proj"))["token"]
    project.write("scratch/notes.txt", "x")
    assert (await api.ok("GET", "changes", path="proj", since=token))["changed"] is False


async def test_change_token_refuses_an_overlong_token(api: Api, project: Project) -> None:
    answer = await api.get("changes", path="proj", since="x" * 65)
    assert answer.status == 400
