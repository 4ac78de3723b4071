"""`nbvc.autolog()` with real scikit-learn estimators."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import nbvc
from nbvc.core import NbvcError
from nbvc.core.models import autolog as autolog_module
from nbvc.core.models.autolog import patch_fit, register_autolog
from nbvc.core.runs import logging as runlog
from tests.pipeline.kit import Project


@pytest.fixture(autouse=True)
def autologging() -> Iterator[None]:
    assert nbvc.autolog() == ["lightgbm", "sklearn", "xgboost"]
    yield
    nbvc.autolog(disable=True)
    while runlog._active is not None and runlog._active.owned:
        runlog._active.end()
    runlog._active = None


def test_fit_logs_params_training_metrics_and_the_model(project: Project) -> None:
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    with nbvc.start_run() as run:
        model = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    with project.repo() as repo:
        record = repo.runs.get(run.id)
        (version,) = repo.models.versions("RandomForestClassifier")
    assert record.params["logged"]["n_estimators"] == 5
    metrics = record.metrics["logged"]
    assert metrics["training_accuracy_score"] == model.score(X, y)
    assert {"training_f1_score", "training_precision_score", "fit_time"} <= set(metrics)
    assert record.tags["estimator_class"].endswith("RandomForestClassifier")
    assert version.run == run.id and version.signature is not None
    assert version.signature["inputs"]["shape"] == [-1, 4]
    loaded = nbvc.load_model("RandomForestClassifier")
    assert (loaded.predict(X) == model.predict(X)).all()


def test_meta_estimators_log_once_and_regressors_get_their_metrics(project: Project) -> None:
    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    with nbvc.start_run() as run:
        search = GridSearchCV(make_pipeline(StandardScaler(), Ridge()), {"ridge__alpha": [0.1, 1]})
        search.fit(X, y)
    with project.repo() as repo:
        record = repo.runs.get(run.id)
        assert [v.name for v in repo.models.versions()] == ["GridSearchCV"]
    assert {"training_r2_score", "training_mean_squared_error"} <= set(record.metrics["logged"])
    assert record.params["logged"]["cv"] is None


def test_disable_restores_fit_and_unknown_libraries_are_refused(project: Project) -> None:
    nbvc.autolog(disable=True)
    Ridge().fit(np.eye(3), [1.0, 2.0, 3.0])
    with project.repo() as repo:
        assert repo.runs.query() == [] and repo.runs.open() == []
    with pytest.raises(NbvcError, match="no autolog for keras"):
        nbvc.autolog(libraries=["keras"])


def test_lightgbm_models_are_logged_too(project: Project) -> None:
    import lightgbm

    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    with nbvc.start_run() as run:
        model = lightgbm.LGBMClassifier(n_estimators=5, verbose=-1).fit(X, y)
    with project.repo() as repo:
        record = repo.runs.get(run.id)
        (version,) = repo.models.versions("LGBMClassifier")
    assert record.params["logged"]["n_estimators"] == 5
    assert record.metrics["logged"]["training_accuracy_score"] == model.score(X, y)
    assert version.flavour == "sklearn" and version.run == run.id
    assert (nbvc.load_model("LGBMClassifier").predict(X) == model.predict(X)).all()


def test_xgboost_models_are_logged_too(project: Project) -> None:
    import xgboost

    X, y = make_regression(n_samples=100, n_features=4, random_state=0)
    with nbvc.start_run() as run:
        model = xgboost.XGBRegressor(n_estimators=4, max_depth=2).fit(X, y)
    with project.repo() as repo:
        record = repo.runs.get(run.id)
        (version,) = repo.models.versions("XGBRegressor")
    assert record.params["logged"]["n_estimators"] == 4
    assert record.tags["estimator_class"] == "xgboost.sklearn.XGBRegressor"
    assert record.metrics["logged"]["training_r2_score"] == pytest.approx(model.score(X, y))
    assert version.signature is not None and version.signature["inputs"]["shape"] == [-1, 4]
    assert (nbvc.load_model("XGBRegressor").predict(X) == model.predict(X)).all()


released = threading.Event()


class SlowToPredict(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A library of the user's own, hooked in with register_autolog: its predict (what the
    training metrics need) waits until the test lets it go."""

    def __init__(self, depth: int = 1) -> None:
        self.depth = depth

    def fit(self, X: Any, y: Any) -> SlowToPredict:
        self.classes_ = np.unique(y)
        return self

    def predict(self, X: Any) -> Any:
        assert released.wait(20)
        return np.full(len(X), self.classes_[0])


class Unloadable(SlowToPredict):
    def __setstate__(self, state: dict[str, Any]) -> None:
        raise ValueError("this copy cannot be made")


@pytest.fixture()
def own_library() -> Iterator[None]:
    register_autolog("own", lambda log_models: patch_fit([SlowToPredict], log_models))
    assert nbvc.autolog(libraries=["own"]) == ["own"]
    released.clear()
    yield
    released.set()
    autolog_module._installers.pop("own")


@pytest.mark.usefixtures("own_library")
def test_fit_returns_before_the_training_metrics_and_the_run_end_waits_for_them(
    project: Project,
) -> None:
    X, y = np.arange(20.0).reshape(10, 2), np.array([0, 1] * 5)
    with nbvc.start_run() as run:
        started = time.perf_counter()
        model = SlowToPredict(depth=3).fit(X, y)
        assert time.perf_counter() - started < 10  # predicting waits up to 20 s
        model.depth = 7  # changed after fit: the model logged is the one fit returned
        released.set()
    with project.repo() as repo:
        record = repo.runs.get(run.id)
        (version,) = repo.models.versions("SlowToPredict")
    assert record.metrics["logged"]["training_accuracy_score"] == 0.5
    assert record.params["logged"] == {"depth": 3}
    assert nbvc.load_model(version.ref).depth == 3


@pytest.mark.usefixtures("own_library")
def test_what_fails_after_fit_is_a_warning_and_the_run_is_kept(project: Project) -> None:
    released.set()
    X, y = np.arange(20.0).reshape(10, 2), np.array([0, 1] * 5)
    warned = pytest.warns(RuntimeWarning, match="nbvc: autolog of Unloadable: this copy cannot")
    with warned, nbvc.start_run() as run:
        Unloadable().fit(X, y)
    with project.repo() as repo:
        record = repo.runs.get(run.id)
        assert repo.models.versions() == []
    assert record.status == "completed" and record.params["logged"] == {"depth": 1}


@pytest.mark.usefixtures("own_library")
def test_a_model_fit_a_moment_ago_loads_at_once(project: Project) -> None:
    X, y = np.arange(20.0).reshape(10, 2), np.array([0, 1] * 5)
    with nbvc.start_run():
        SlowToPredict(depth=5).fit(X, y)
        threading.Timer(0.3, released.set).start()  # the model is stored after this
        assert nbvc.load_model("SlowToPredict").depth == 5
