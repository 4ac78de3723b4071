"""nbvc: notebook-native version control for data, models, pipelines and metrics.

Attributes are imported lazily so that ``import nbvc`` (and ``%load_ext nbvc``) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# the Python API: names of the engine's surface (nbvc.core), loaded on first use
_LAZY = (
    "NbvcError",
    "Repo",
    "active_run",
    "autolog",
    "end_run",
    "load_model",
    "log_artifact",
    "log_dict",
    "log_figure",
    "log_image",
    "log_metric",
    "log_metrics",
    "log_model",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "set_note",
    "set_tag",
    "set_tags",
    "start_run",
)

if TYPE_CHECKING:
    from nbvc.core import (
        NbvcError,
        Repo,
        active_run,
        autolog,
        end_run,
        load_model,
        log_artifact,
        log_dict,
        log_figure,
        log_image,
        log_metric,
        log_metrics,
        log_model,
        log_param,
        log_params,
        log_table,
        log_text,
        set_note,
        set_tag,
        set_tags,
        start_run,
    )

__all__ = [
    "NbvcError",
    "Repo",
    "__version__",
    "active_run",
    "autolog",
    "end_run",
    "exp_run",
    "load_ipython_extension",
    "load_model",
    "log_artifact",
    "log_dict",
    "log_figure",
    "log_image",
    "log_metric",
    "log_metrics",
    "log_model",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "set_note",
    "set_tag",
    "set_tags",
    "start_run",
    "unload_ipython_extension",
]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nbvc``: the magics and the cell lineage tracer (see :mod:`nbvc.kernel`)."""
    from nbvc.kernel import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from nbvc.kernel import unload_ipython_extension as unload

    unload(ipython)


def exp_run(
    *set_params: str,
    targets: tuple[str, ...] = (),
    workers: int | None = None,
    scheduler: str | None = None,
    name: str | None = None,
    tags: tuple[str, ...] = (),
    random: int | None = None,
    seed: int | None = None,
    path: str | None = None,
) -> list[Any]:
    """Run a sweep from Python and return its runs (``RunRecord``s, in the order of the grid)::

    runs = nbvc.exp_run("train.lr=0.01,0.1", "train.epochs=range(1,4)", workers=2)
    """
    from nbvc.core import ExpRunOptions, Repo

    options = ExpRunOptions(
        targets=tuple(targets),
        set_params=set_params,
        random=random,
        seed=seed,
        name=name,
        tags=tuple(tags),
        workers=workers,
        scheduler=scheduler,
    )
    with Repo.find(path) as repo:
        return list(repo.experiments.run(options).runs)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt JupyterLab extension lives (for `jupyter labextension develop`)."""
    return [{"src": "labextension", "dest": "nbvc"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    """The jupyter-server extension; imported only when the server loads it."""
    from nbvc.server.app import NbvcApp

    return [{"module": "nbvc.server.app", "app": NbvcApp}]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'nbvc' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module("nbvc.core"), name)
    globals()[name] = value
    return value
