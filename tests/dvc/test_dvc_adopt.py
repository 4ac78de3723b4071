"""Adopting `.dvc`-tracked data: from DVC's cache or a DVC remote (local, S3, SSH), every md5
checked, nothing in the DVC project changed."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import s3fs

from nbvc.core.repo import Repo
from nbvc.core.storage.tree import Tree
from tests.dvc.kit import DvcProject
from tests.remote.servers import Sshd


def cache_object(project: DvcProject, dvc_file: str) -> Path:
    md5 = project.read(dvc_file).split("md5: ")[1].split()[0]
    return project.path(f".dvc/cache/files/md5/{md5[:2]}/{md5[2:]}")


def versions(project: DvcProject, artifact: str) -> list[str]:
    with Repo.open(str(project.root)) as repo:
        return [v.oid for v in repo.history.versions(artifact)]


def test_init_adopts_files_and_folders(project: DvcProject) -> None:
    done = project.nbvc("init")
    assert done.code == 0, done.err
    assert "data/data.csv: adopted from data/data.csv.dvc as v1" in done.out
    assert "data/images: adopted from data/images.dvc as v1" in done.out
    with Repo.open(str(project.root)) as repo:
        image_dir = repo.history.latest("data/images")
        assert image_dir is not None and image_dir.kind == "dir" and image_dir.nfiles == 3
        assert image_dir.producer == "dvc:data/images.dvc"
        tree = Tree.deserialize(repo.odb.read_bytes(image_dir.oid))
        assert sorted(tree.files) == ["a.txt", "b.txt", "c.txt"]
        for name, meta in tree.files.items():
            assert repo.odb.read_bytes(meta.oid) == project.path(f"data/images/{name}").read_bytes()
    assert project.git("status", "--porcelain") == "?? .nbvc/\n"
    again = project.nbvc("import-dvc")
    assert again.code == 0 and "already adopted (v1)" in again.out
    log = project.nbvc("log", "data/data.csv")
    assert "adopted from data/data.csv.dvc" in log.out


def test_an_adopted_version_checks_out(project: DvcProject) -> None:
    project.nbvc("init", "-q")
    original = project.read("data/data.csv")
    project.path("data/data.csv").write_text("changed\n")
    done = project.nbvc("checkout", "data/data.csv@v1", "--force")
    assert done.code == 0, done.err
    assert project.read("data/data.csv") == original


def test_a_corrupt_dvc_cache_object_is_refused(project: DvcProject) -> None:
    broken = cache_object(project, "data/data.csv.dvc")
    os.chmod(broken, 0o644)
    broken.write_text("x,y\n0.5,1\n")
    done = project.nbvc("init")
    assert done.code == 1
    assert "data/data.csv: the object" in done.err and "does not match its md5" in done.err
    assert "Traceback" not in done.err
    assert versions(project, "data/data.csv") == []
    assert len(versions(project, "data/images")) == 1  # the others are still adopted
    with Repo.open(str(project.root)) as repo:  # nothing half-written stays in nbvc's store
        assert not os.listdir(repo.odb.tmp_dir) or all(
            not n.startswith("obj-") for n in os.listdir(repo.odb.tmp_dir)
        )


def test_objects_missing_locally_come_from_the_dvc_remote(project: DvcProject) -> None:
    shutil.rmtree(project.path(".dvc/cache"))
    done = project.nbvc("init")
    assert done.code == 0, done.err
    assert "data/images: adopted" in done.out and "data/data.csv: adopted" in done.out
    assert not project.path(".dvc/cache/files").exists()  # DVC's cache is left as it was


def test_missing_everywhere_is_one_clear_line(project: DvcProject) -> None:
    shutil.rmtree(project.path(".dvc/cache"))
    shutil.rmtree(project.home / "remote")
    os.makedirs(project.home / "remote")
    done = project.nbvc("init")
    assert done.code == 1
    lines = [line for line in done.err.splitlines() if line.startswith("nbvc: error:")]
    assert len(lines) == 2
    assert "neither in DVC's cache nor on DVC remote 'storage'" in lines[0]


def test_s3_remote_with_endpointurl(project: DvcProject, moto_endpoint: str) -> None:
    bucket = f"dvc-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(endpoint_url=moto_endpoint).mkdir(bucket)
    project.dvc("remote", "add", "s3", f"s3://{bucket}/store")
    project.dvc("remote", "modify", "s3", "endpointurl", moto_endpoint)
    project.dvc("push", "-q", "-r", "s3")  # the real dvc-s3 writes DVC's layout
    shutil.rmtree(project.path(".dvc/cache"))
    done = project.nbvc("import-dvc", "-r", "s3", "data/images.dvc")
    assert done.code == 0, done.err
    assert "data/images: adopted from data/images.dvc as v1" in done.out


def test_ssh_remote(
    project: DvcProject, sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = sshd.home / f"dvc-{uuid.uuid4().hex[:8]}"
    project.dvc("remote", "add", "ssh", sshd.url(str(folder)))
    project.dvc("remote", "modify", "--local", "ssh", "keyfile", sshd.client_key)
    project.dvc("push", "-q", "-r", "ssh")  # the real dvc-ssh
    shutil.rmtree(project.path(".dvc/cache"))
    # nbvc checks the server's host key against ~/.ssh/known_hosts (DVC does not check it)
    (tmp_path / ".ssh").mkdir()
    shutil.copy(sshd.known_hosts, tmp_path / ".ssh" / "known_hosts")
    monkeypatch.setenv("HOME", str(tmp_path))
    project.env["HOME"] = str(tmp_path)
    done = project.nbvc("import-dvc", "-r", "ssh")
    assert done.code == 0, done.err
    assert "data/data.csv: adopted" in done.out and "data/images: adopted" in done.out


def test_unsupported_remote_option_is_named(project: DvcProject) -> None:
    project.dvc("remote", "add", "odd", "s3://bucket/x")
    project.dvc("remote", "modify", "odd", "sse", "AES256")
    shutil.rmtree(project.path(".dvc/cache"))
    done = project.nbvc("import-dvc", "-r", "odd", "data/data.csv")
    assert done.code == 1
    assert "nbvc does not support the option(s) sse yet" in done.err
