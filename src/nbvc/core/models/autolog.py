"""``nbvc.autolog()``: log what a training library's ``fit`` knew, with no logging code.

Every estimator's ``fit`` is wrapped (:func:`patch_fit`): after the outermost ``fit`` returns
(a pipeline's or a search's inner fits are not logged again), the active run (started if none
is open) gets the estimator's params, ``fit_time``, the training metrics sklearn computes
(classifiers: accuracy, precision, recall and F1, weighted; regressors: R², MSE, MAE) and the
fitted model as a model version named after the estimator class, with its input signature.

Only what is cheap happens inside ``fit``: params, ``fit_time`` and a pickle of the fitted model
(a snapshot: refitting the estimator later cannot change what is logged). The training metrics
(a ``predict`` over the training set, on a copy unpickled from the snapshot) and storing the
model run on the run's thread (:meth:`Run.defer`), and the run's end waits for them.

Libraries plug in with :func:`register_autolog`: a name and a function that installs the
patches (usually ``patch_fit(classes, log_models)``) and returns a function that removes them.
scikit-learn, LightGBM and XGBoost are registered that way in
:mod:`nbvc.core.models.autolog_libraries`. Off by default; ``nbvc.autolog(disable=True)``
restores the original methods.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from nbvc.core.errors import NbvcError

if TYPE_CHECKING:
    from nbvc.core.runs.logging import Run

Installer = Callable[[bool], Callable[[], None]]
"""``install(log_models) -> uninstall``."""

_installers: dict[str, Installer] = {}
_installed: dict[str, Callable[[], None]] = {}
_depth = threading.local()
EXAMPLE_ROWS = 5


def register_autolog(name: str, installer: Installer) -> None:
    """Add a library to ``nbvc.autolog()``: ``install(log_models)`` patches it (usually with
    :func:`patch_fit`) and returns a function that undoes the patches. See
    :mod:`nbvc.core.models.autolog_libraries` for the ones nbvc registers itself."""
    _installers[name] = installer


def autolog(
    disable: bool = False, log_models: bool = True, libraries: Iterable[str] | None = None
) -> list[str]:
    """Turn autologging on (or off) for the installed libraries; returns their names."""
    from nbvc.core.models import autolog_libraries  # noqa: F401 - registers the built-in ones

    for name in list(_installed):
        _installed.pop(name)()
    if disable:
        return []
    wanted = list(libraries) if libraries is not None else list(_installers)
    unknown = [name for name in wanted if name not in _installers]
    if unknown:
        raise NbvcError(
            f"no autolog for {', '.join(unknown)}; known: {', '.join(sorted(_installers))}"
        )
    for name in wanted:
        try:
            _installed[name] = _installers[name](log_models)
        except ImportError:
            if libraries is not None:
                raise NbvcError(f"autolog for {name}: the library is not installed") from None
    return sorted(_installed)


def patch_fit(classes: Iterable[type], log_models: bool) -> Callable[[], None]:
    """Wrap ``fit`` where each class (or the base it inherits ``fit`` from) defines it, to log
    as the module says; returns the function that puts the original methods back."""
    originals: dict[type, Any] = {}
    for estimator in classes:
        owner = next((c for c in estimator.__mro__ if "fit" in c.__dict__), None)
        if owner is None or owner in originals:
            continue
        originals[owner] = owner.__dict__["fit"]
        setattr(owner, "fit", _wrap(owner.__dict__["fit"], log_models))  # noqa: B010

    def uninstall() -> None:
        for owner, original in originals.items():
            setattr(owner, "fit", original)  # noqa: B010

    return uninstall


def _wrap(fit: Callable[..., Any], log_models: bool) -> Callable[..., Any]:
    def fit_and_log(self: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(_depth, "value", 0):
            return fit(self, *args, **kwargs)
        _depth.value = 1  # fits inside this one (and in the metrics computed after) log nothing
        started = time.perf_counter()
        try:
            result = fit(self, *args, **kwargs)
            seconds = time.perf_counter() - started
            X = args[0] if args else kwargs.get("X")
            y = args[1] if len(args) > 1 else kwargs.get("y")
            _log_fit(self, X, y, seconds, log_models)
        finally:
            _depth.value = 0
        return result

    fit_and_log.__wrapped__ = fit  # type: ignore[attr-defined]
    fit_and_log.__doc__ = fit.__doc__
    fit_and_log.__name__ = "fit"
    return fit_and_log


def _log_fit(estimator: Any, X: Any, y: Any, seconds: float, log_models: bool) -> None:
    from nbvc.core.models import flavours
    from nbvc.core.runs import logging as runlog

    run = runlog.active_run() or runlog.start_run()
    name = type(estimator).__name__
    run.set_tags({"estimator_class": f"{type(estimator).__module__}.{name}"})
    run.log_params({k: _param(v) for k, v in estimator.get_params(deep=False).items()})
    run.log_metric("fit_time", seconds)
    if y is None and not log_models:
        return
    flavour = flavours.flavour_of(estimator)
    try:
        snapshot = flavours.dump(estimator, flavour)
    except NbvcError:
        if log_models:
            raise
        _log_training_metrics(run, estimator, X, y)  # not picklable: no copy, so now
        return
    run.defer(lambda: _log_later(run, name, flavour, snapshot, X, y, log_models))


def _log_later(
    run: Run, name: str, flavour: str, snapshot: bytes, X: Any, y: Any, log_models: bool
) -> None:
    """On the run's thread: training metrics and the model, from a copy of the snapshot."""
    from nbvc.core.models import flavours
    from nbvc.core.models.registry import log_dumped_model

    _depth.value = 1  # fits that computing the metrics makes (label encoders) log nothing
    try:
        model = flavours.load(snapshot, flavour)
        predicted = _log_training_metrics(run, model, X, y)
        if log_models:
            output = _head(predicted) if predicted is not None else None
            log_dumped_model(run, model, name, flavour, snapshot, _head(X), output)
    except Exception as exc:
        raise NbvcError(f"autolog of {name}: {exc}") from exc
    finally:
        _depth.value = 0


def _log_training_metrics(run: Run, model: Any, X: Any, y: Any) -> Any:
    """Log the training metrics of ``model``; returns its predictions (None without ``y``)."""
    predicted = _predict(model, X) if y is not None else None
    if predicted is not None:
        for metric, value in _training_metrics(model, y, predicted).items():
            run.log_metric(f"training_{metric}", value)
    return predicted


def _predict(estimator: Any, X: Any) -> Any:
    if not hasattr(estimator, "predict"):
        return None
    try:
        return estimator.predict(X)
    except Exception:  # an estimator that cannot predict on its own training input
        return None


def _training_metrics(estimator: Any, y: Any, predicted: Any) -> dict[str, float]:
    from sklearn import metrics
    from sklearn.base import is_classifier, is_regressor

    if is_classifier(estimator):
        accuracy = float(metrics.accuracy_score(y, predicted))
        return {
            "score": accuracy,
            "accuracy_score": accuracy,
            "precision_score": float(
                metrics.precision_score(y, predicted, average="weighted", zero_division=0)
            ),
            "recall_score": float(
                metrics.recall_score(y, predicted, average="weighted", zero_division=0)
            ),
            "f1_score": float(metrics.f1_score(y, predicted, average="weighted", zero_division=0)),
        }
    if is_regressor(estimator):
        return {
            "score": float(metrics.r2_score(y, predicted)),
            "r2_score": float(metrics.r2_score(y, predicted)),
            "mean_squared_error": float(metrics.mean_squared_error(y, predicted)),
            "mean_absolute_error": float(metrics.mean_absolute_error(y, predicted)),
        }
    return {}


def _param(value: Any) -> Any:
    """A param as JSON can hold it (estimators and callables by their repr)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return repr(value)
    return value


def _head(X: Any) -> Any:
    if hasattr(X, "iloc"):
        return X.iloc[:EXAMPLE_ROWS]
    try:
        return X[:EXAMPLE_ROWS]
    except (TypeError, KeyError, IndexError):
        return None
