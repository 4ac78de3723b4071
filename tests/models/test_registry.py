"""The model registry: log_model / load_model, versions, aliases, hash checks, `nbvc models`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import nbvc
from nbvc.core import ModelLoadError, ModelNotFoundError, NbvcError
from nbvc.core.runs import logging as runlog
from tests.pipeline.kit import Project


@pytest.fixture(autouse=True)
def no_open_run() -> Iterator[None]:
    yield
    while runlog._active is not None and runlog._active.owned:
        runlog._active.end()
    runlog._active = None


def fitted(c: float) -> LogisticRegression:
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.9, 0.2], [0.1, 0.8]])
    return LogisticRegression(C=c).fit(X, [0, 1, 1, 0])


def test_log_and_load_by_name_version_and_alias(project: Project) -> None:
    example = np.array([[0.2, 0.7]])
    with nbvc.start_run(name="first") as first:
        nbvc.log_metric("acc", 0.9)
        v1 = nbvc.log_model(fitted(1.0), "churn", input_example=example)
    with nbvc.start_run(name="second"):
        v2 = nbvc.log_model(fitted(0.1), "churn")
    assert (v1.version, v2.version) == (1, 2) and v1.flavour == "sklearn"
    assert v1.run == first.id and "scikit-learn" in v1.requirements
    assert v1.signature == {
        "inputs": {"type": "tensor", "dtype": "float64", "shape": [-1, 2]},
        "outputs": {"type": "tensor", "dtype": "int64", "shape": [-1]},
    }
    assert nbvc.load_model("churn").C == 0.1  # latest
    assert nbvc.load_model("churn:v1").C == 1.0
    assert nbvc.load_model("churn:1").C == 1.0
    assert project.nbvc("models", "alias", "churn@prod", "v1").out.strip() == "churn@prod -> v1"
    assert nbvc.load_model("churn@prod").C == 1.0
    project.nbvc("models", "alias", "churn@prod", "v2")
    assert nbvc.load_model("churn@prod").C == 0.1
    # the alias names the run that made that version, wherever a run is named
    shown = project.nbvc("runs", "show", "churn@prod")
    assert shown.code == 0 and "second" in shown.out
    listing = project.nbvc("models")
    assert "churn" in listing.out and "prod->v2" in listing.out
    versions = project.nbvc("models", "churn").out
    assert "v1" in versions and "first" in versions and "acc=0.9" in versions
    assert project.nbvc("models", "unalias", "churn@prod").code == 0
    with pytest.raises(ModelNotFoundError, match="has no alias 'prod'"):
        nbvc.load_model("churn@prod")
    with pytest.raises(ModelNotFoundError, match="no version v7"):
        nbvc.load_model("churn:v7")
    with pytest.raises(ModelNotFoundError, match="no model named 'nope'"):
        nbvc.load_model("nope")
    assert json.loads(project.nbvc("models", "churn", "--json").out)[0]["oid"] == v1.oid
    missing = project.nbvc("models", "alias", "churn@prod", "v9")
    assert missing.code == 1 and "no version v9" in missing.err


@pytest.mark.parametrize("loaded_before", [False, True])
def test_loading_checks_the_hash_and_stays_in_the_cache(
    project: Project, loaded_before: bool
) -> None:
    version = nbvc.log_model(fitted(1.0), "m")
    nbvc.end_run()
    if loaded_before:  # hashed then, and remembered with the file's stat
        assert nbvc.load_model("m").C == 1.0
    with project.repo() as repo:
        path = repo.odb.path(version.oid)
    os.chmod(path, 0o644)
    with open(path, "r+b") as handle:  # a flipped byte: never unpickled
        handle.seek(10)
        byte = handle.read(1)
        handle.seek(10)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelLoadError, match="does not match its hash"):
        nbvc.load_model("m")
    assert not os.path.exists(path)  # quarantined
    elsewhere = project.root.parent / "evil.pkl"
    elsewhere.write_bytes(b"not a model")
    os.symlink(elsewhere, path)
    with pytest.raises(ModelLoadError, match="not a file of this repo's cache"):
        nbvc.load_model("m")


def test_gc_keeps_registered_models(project: Project) -> None:
    version = nbvc.log_model({"weights": [1, 2, 3]}, "plain")
    assert version.flavour == "python"
    record = nbvc.end_run()
    assert record is not None
    assert project.nbvc("runs", "delete", record.id).code == 0
    assert project.nbvc("gc").code == 0
    assert nbvc.load_model("plain") == {"weights": [1, 2, 3]}


def test_a_model_declared_in_dvc_yaml_is_the_same_thing(project: Project) -> None:
    import pickle

    project.write("model.pkl", "")
    project.path("model.pkl").write_bytes(pickle.dumps({"kind": "declared"}))
    project.write("dvc.yaml", "artifacts:\n  clf:\n    path: model.pkl\n    type: model\n")
    assert project.nbvc("add", "model.pkl").code == 0
    assert nbvc.load_model("clf") == {"kind": "declared"}
    assert nbvc.load_model("clf:v1") == {"kind": "declared"}
    assert project.nbvc("models", "alias", "clf@prod", "v1").code == 0
    assert nbvc.load_model("clf@prod") == {"kind": "declared"}
    assert "model.pkl" in project.nbvc("models").out


def test_an_unchanged_object_is_hashed_once_unless_told_always(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbvc.core.models import registry
    from nbvc.core.storage.hashing import hash_bytes as real

    nbvc.log_model({"w": 1}, "m")
    nbvc.end_run()
    hashed: list[int] = []

    def counting(data: bytes | memoryview) -> str:
        hashed.append(len(data))
        return real(data)

    monkeypatch.setattr(registry, "hash_bytes", counting)
    for _ in range(3):
        assert nbvc.load_model("m") == {"w": 1}
    assert len(hashed) == 1
    monkeypatch.setenv("NBVC_VERIFY_MODELS", "always")
    nbvc.load_model("m")
    assert len(hashed) == 2
    monkeypatch.setenv("NBVC_VERIFY_MODELS", "sometimes")
    with pytest.raises(NbvcError, match=r"models\.verify must be one of changed, always"):
        nbvc.load_model("m")
