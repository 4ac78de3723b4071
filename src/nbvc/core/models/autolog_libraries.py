"""The libraries ``nbvc.autolog()`` knows, each added with the public hook a user's own library
would use (:func:`~nbvc.core.models.autolog.register_autolog` and
:func:`~nbvc.core.models.autolog.patch_fit`). An installer imports its library, so a library that
is not installed is skipped (``ImportError``) unless asked for by name."""

from __future__ import annotations

from collections.abc import Callable

from nbvc.core.models.autolog import patch_fit, register_autolog


def sklearn(log_models: bool) -> Callable[[], None]:
    """Every scikit-learn estimator."""
    from sklearn.utils import all_estimators

    return patch_fit([estimator for _, estimator in all_estimators()], log_models)


def lightgbm(log_models: bool) -> Callable[[], None]:
    """LightGBM's scikit-learn API (``LGBMClassifier``, ``LGBMRegressor``, ``LGBMRanker``)."""
    import lightgbm

    classes = [lightgbm.LGBMClassifier, lightgbm.LGBMRegressor, lightgbm.LGBMRanker]
    return patch_fit(classes, log_models)


def xgboost(log_models: bool) -> Callable[[], None]:
    """XGBoost's scikit-learn API (``XGBClassifier``, ``XGBRegressor``, ``XGBRanker``, and the
    random forests ``XGBRFClassifier`` / ``XGBRFRegressor``)."""
    import xgboost

    classes = [
        xgboost.XGBClassifier,
        xgboost.XGBRegressor,
        xgboost.XGBRanker,
        xgboost.XGBRFClassifier,
        xgboost.XGBRFRegressor,
    ]
    return patch_fit(classes, log_models)


register_autolog("sklearn", sklearn)
register_autolog("lightgbm", lightgbm)
register_autolog("xgboost", xgboost)
