"""The artifact routes: listing, versions, diff, checkout, add and tag."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.conftest import Api, Project


async def test_artifacts_list_state_versions_latest_and_tags(api: Api, project: Project) -> None:
    project.write("data/a.csv", "x\n9\n")
    doc = await api.ok("GET", "artifacts", path="proj")
    assert doc["root"] == "proj"
    data, model = doc["artifacts"]
    assert (data["path"], data["type"], data["state"]) == ("data", "dir", "modified")
    assert (data["versions"], data["version"], data["tags"]) == (1, 1, ["base"])
    assert data["latest"]["version"] == "v1"
    assert (model["path"], model["state"], model["versions"]) == ("model.bin", "unchanged", 2)
    assert model["latest"]["message"] == "retrained"
    assert model["latest"]["tags"] == []
    assert model["tags"] == ["base"]


async def test_artifacts_of_an_empty_repo(api: Api, project: Project, jp_root_dir: Path) -> None:
    from nbvc.core.repo import Repo

    (jp_root_dir / "empty").mkdir()
    Repo.init(str(jp_root_dir / "empty"))[0].close()
    expected = {"root": "empty", "artifacts": [], "declared": []}
    assert await api.ok("GET", "artifacts", path="empty") == expected


async def test_artifacts_declared_in_the_pipeline_file(api: Api, project: Project) -> None:
    project.write(
        "dvc.yaml",
        "artifacts:\n  clf:\n    path: model.bin\n    type: model\n    labels: [prod]\n"
        "  raw:\n    path: raw/\n    type: dataset\n    desc: not here yet\n",
    )
    declared = (await api.ok("GET", "artifacts", path="proj"))["declared"]
    assert [(d["name"], d["type"], d["path"], d["version"]) for d in declared] == [
        ("clf", "model", "model.bin", "v2"),
        ("raw", "dataset", "raw", None),
    ]
    assert declared[0]["labels"] == ["prod"] and declared[1]["exists"] is False
    project.write("dvc.yaml", "artifacts: [broken\n")  # the tracked ones are still listed
    doc = await api.ok("GET", "artifacts", path="proj")
    assert doc["declared"] == [] and len(doc["artifacts"]) == 2


async def test_versions_newest_first(api: Api, project: Project) -> None:
    doc = await api.ok("GET", "artifacts/versions", path="proj", artifact="model.bin")
    assert doc["path"] == "model.bin"
    assert [(v["version"], v["message"], v["tags"]) for v in doc["versions"]] == [
        ("v2", "retrained", []),
        ("v1", "first", ["base"]),
    ]
    assert doc["versions"][0]["author"] == "Test User"


async def test_versions_need_an_artifact(api: Api, project: Project) -> None:
    answer = await api.get("artifacts/versions", path="proj")
    assert answer.status == 400
    assert "artifact" in answer.body["message"]


async def test_versions_of_an_untracked_path_is_404(api: Api, project: Project) -> None:
    answer = await api.get("artifacts/versions", path="proj", artifact="nothing.txt")
    assert answer.status == 404


async def test_diff_between_versions(api: Api, project: Project) -> None:
    project.write("data/b.csv", "y\n3\n")
    project.write("data/c.csv", "z\n")
    project.add("data")
    doc = await api.ok("GET", "artifacts/diff", path="proj", artifact="data", a="v1", b="v2")
    assert (doc["old"], doc["new"]) == ("v1", "v2")
    assert [f["path"] for f in doc["added"]] == ["c.csv"]
    assert [f["path"] for f in doc["modified"]] == ["b.csv"]
    assert doc["removed"] == []


async def test_diff_defaults_to_pointer_against_workspace(api: Api, project: Project) -> None:
    (project.path / "data" / "a.csv").unlink()
    doc = await api.ok("GET", "artifacts/diff", path="proj", artifact="data")
    assert (doc["old"], doc["new"]) == ("v1", "workspace")
    assert doc["removed"] == [{"path": "a.csv", "size": 4}]


async def test_diff_by_tag(api: Api, project: Project) -> None:
    doc = await api.ok("GET", "artifacts/diff", path="proj", artifact="model.bin", a="base")
    assert doc["old"] == "v1"
    assert [f["path"] for f in doc["modified"]] == ["model.bin"]


@pytest.mark.parametrize(
    ("ref", "status"),
    [("v9", 404), ("nope", 404), ("HEAD:secret", 400), ("-x", 400), ("a@b", 400), ("", 400)],
)
async def test_diff_with_a_bad_ref(api: Api, project: Project, ref: str, status: int) -> None:
    answer = await api.get("artifacts/diff", path="proj", artifact="model.bin", a=ref)
    assert answer.status == status
    assert answer.body["message"]


async def test_checkout_restores_a_version(api: Api, project: Project) -> None:
    body = {"path": "proj", "artifact": "model.bin", "ref": "base"}
    doc = await api.ok("POST", "artifacts/checkout", body)
    assert doc["path"] == "model.bin"
    assert (doc["version"], doc["written"], doc["changed"]) == ("v1", 1, True)
    assert (project.path / "model.bin").read_text() == "weights 1\n"
    again = await api.ok("POST", "artifacts/checkout", body)
    assert again["changed"] is False


async def test_checkout_refuses_to_lose_unsaved_changes(api: Api, project: Project) -> None:
    project.write("model.bin", "precious unsaved work\n")
    body = {"path": "proj", "artifact": "model.bin", "ref": "v1"}
    answer = await api.post("artifacts/checkout", body)
    assert answer.status == 409
    assert "not saved" in answer.body["message"]
    assert (project.path / "model.bin").read_text() == "precious unsaved work\n"
    forced = await api.ok("POST", "artifacts/checkout", {**body, "force": True})
    assert forced["written"] == 1
    assert (project.path / "model.bin").read_text() == "weights 1\n"


async def test_checkout_without_ref_restores_the_pointer_version(
    api: Api, project: Project
) -> None:
    (project.path / "data" / "a.csv").unlink()
    doc = await api.ok("POST", "artifacts/checkout", {"path": "proj", "artifact": "data"})
    assert doc["version"] == "v1"
    assert (project.path / "data" / "a.csv").read_text() == "x\n1\n"


async def test_add_records_versions(api: Api, project: Project) -> None:
    project.write("model.bin", "weights 3\n")
    project.write("results/metrics.json", "{}")
    body = {"path": "proj", "paths": ["model.bin", "results"], "message": "m", "tags": ["t"]}
    doc = await api.ok("POST", "artifacts/add", body)
    added = {a["path"]: a for a in doc["added"]}
    assert added["model.bin"]["version"]["version"] == "v3"
    assert added["model.bin"]["version"]["tags"] == ["t"]
    assert added["results"]["created"] is True
    assert added["results"]["version"]["kind"] == "dir"
    assert (project.path / "results.nbvc").exists()


async def test_add_of_unchanged_content_creates_nothing(api: Api, project: Project) -> None:
    doc = await api.ok("POST", "artifacts/add", {"path": "proj", "paths": ["model.bin"]})
    assert doc["added"][0]["created"] is False
    assert doc["added"][0]["version"]["version"] == "v2"


async def test_add_of_a_missing_path_is_404(api: Api, project: Project) -> None:
    answer = await api.post("artifacts/add", {"path": "proj", "paths": ["ghost.txt"]})
    assert answer.status == 404
    assert "ghost.txt does not exist" in answer.body["message"]


async def test_add_inside_a_tracked_folder_is_409(api: Api, project: Project) -> None:
    answer = await api.post("artifacts/add", {"path": "proj", "paths": ["data/a.csv"]})
    assert answer.status == 409
    assert "nbvc add data" in answer.body["message"]


async def test_add_of_nbvc_internals_is_400(api: Api, project: Project) -> None:
    answer = await api.post("artifacts/add", {"path": "proj", "paths": [".nbvc/config"]})
    assert answer.status == 400


async def test_tag_points_a_tag_at_a_version(api: Api, project: Project) -> None:
    body = {"path": "proj", "artifact": "model.bin", "ref": "v1", "name": "prod"}
    doc = await api.ok("POST", "artifacts/tag", body)
    assert doc["path"] == "model.bin"
    assert doc["version"]["version"] == "v1"
    assert doc["version"]["tags"] == ["base", "prod"]


async def test_tag_without_ref_tags_the_pointer_version(api: Api, project: Project) -> None:
    doc = await api.ok(
        "POST", "artifacts/tag", {"path": "proj", "artifact": "model.bin", "name": "latest"}
    )
    assert doc["version"]["version"] == "v2"


async def test_tag_with_an_invalid_name_is_400(api: Api, project: Project) -> None:
    body = {"path": "proj", "artifact": "model.bin", "name": "v7"}
    answer = await api.post("artifacts/tag", body)
    assert answer.status == 400
    assert "cannot be a tag" in answer.body["message"]


async def test_usage_of_each_artifact_and_of_the_cache(api: Api, project: Project) -> None:
    doc = await api.ok("GET", "artifacts/usage", path="proj")
    by_path = {a["path"]: a for a in doc["artifacts"]}
    model = by_path["model.bin"]
    assert model["versions"] == 2 and model["logical_size"] > 0
    assert model["stored_size"] >= model["logical_size"] > 0  # two small whole objects
    assert doc["stored_size"] > 0 and doc["logical_size"] == sum(
        a["logical_size"] for a in doc["artifacts"]
    )
    one = await api.ok("GET", "artifacts/usage", path="proj", artifact="model.bin")
    assert [a["path"] for a in one["artifacts"]] == ["model.bin"]
    missing = await api.get("artifacts/usage", path="proj", artifact="nothing.txt")
    assert missing.status == 404
