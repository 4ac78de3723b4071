"""How a model is turned into bytes and back, by flavour, and what its input and output look
like (the signature, inferred from an example).

* ``sklearn``: scikit-learn estimators (and XGBoost / LightGBM models through their
  scikit-learn API), pickled;
* ``pytorch``: a ``torch.nn.Module``'s state dict, saved with ``torch.save`` and loaded with
  ``torch.load(weights_only=True)`` (no pickle of arbitrary objects);
* ``python``: any other picklable object.

Pickle runs code while loading: load models only from repositories you trust. nbvc loads only
objects of its own cache whose hash it has just checked, so a model is exactly what was logged,
but that is no defence against a model that was malicious when it was logged.
"""

from __future__ import annotations

import contextlib
import io
import pickle
from typing import Any

from nbvc.core.errors import ModelLoadError

SKLEARN, PYTORCH, PYTHON = "sklearn", "pytorch", "python"
FLAVOURS = (SKLEARN, PYTORCH, PYTHON)
FLAVOUR_PACKAGES = {
    SKLEARN: ("scikit-learn", "numpy", "scipy", "xgboost", "lightgbm"),
    PYTORCH: ("torch",),
    PYTHON: (),
}


def flavour_of(model: Any) -> str:
    module = type(model).__module__.split(".")[0]
    if module in ("sklearn", "xgboost", "lightgbm") or hasattr(model, "get_params"):
        return SKLEARN
    if _is_torch_module(model):
        return PYTORCH
    return PYTHON


def dump(model: Any, flavour: str) -> bytes:
    if flavour == PYTORCH:
        import torch

        buffer = io.BytesIO()
        torch.save(model.state_dict(), buffer)
        return buffer.getvalue()
    try:
        return pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise ModelLoadError(f"the model cannot be pickled: {exc}") from None


def load(data: bytes | memoryview, flavour: str) -> Any:
    if flavour == PYTORCH:
        try:
            import torch
        except ImportError:
            raise ModelLoadError(
                "this model is a PyTorch state dict; install torch to load it"
            ) from None
        return torch.load(io.BytesIO(data), weights_only=True)
    try:
        return pickle.loads(data)
    except ModuleNotFoundError as exc:
        raise ModelLoadError(
            f"the model needs the package {exc.name!r}; install it to load the model"
        ) from None


def _is_torch_module(model: Any) -> bool:
    return any(
        f"{cls.__module__}.{cls.__qualname__}" == "torch.nn.modules.module.Module"
        for cls in type(model).__mro__
    )


def signature(model: Any, example: Any, output: Any = None) -> dict[str, Any] | None:
    """``{"inputs": schema, "outputs": schema}`` from an input example (outputs: ``output``
    if given, else what the model's ``predict`` answers for the example, where it has one)."""
    if example is None:
        return None
    found: dict[str, Any] = {"inputs": schema_of(example)}
    predict = getattr(model, "predict", None)
    if output is not None:
        found["outputs"] = schema_of(output)
    elif callable(predict):
        with contextlib.suppress(Exception):  # an example it cannot predict on: no outputs
            found["outputs"] = schema_of(predict(example))
    return found


def schema_of(value: Any) -> dict[str, Any]:
    """The shape of a DataFrame (columns and dtypes), an array (dtype and shape, the first
    dimension open), or a plain list or mapping."""
    if hasattr(value, "dtypes") and hasattr(value, "columns"):
        return {
            "type": "dataframe",
            "columns": [{"name": str(c), "type": str(t)} for c, t in value.dtypes.items()],
        }
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        shape = [-1, *list(value.shape)[1:]] if len(value.shape) else []
        return {"type": "tensor", "dtype": str(value.dtype), "shape": shape}
    if isinstance(value, dict):
        return {"type": "object", "fields": {str(k): type(v).__name__ for k, v in value.items()}}
    if isinstance(value, list | tuple):
        inner = schema_of(value[0]) if value else {}
        return {"type": "list", "items": inner}
    return {"type": type(value).__name__}
