"""What ``nbvc.log_artifact``, ``log_figure``, ``log_image``, ``log_dict``, ``log_table`` and
``log_text`` store: each becomes an object in the repo's cache (a folder becomes a tree), named
in the run's record as a :class:`RunArtifact`, so ``nbvc gc`` keeps it while the run exists and
``nbvc push`` shares it.

matplotlib, plotly, PIL, numpy and pandas are never imported here: the value passed in is
recognised by its methods (``savefig``, ``to_json``, ``save``, ``to_dict``).
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Mapping
from typing import Any

from nbvc.core.errors import LoggingError
from nbvc.core.repo import Repo
from nbvc.core.runs.run_record import RunArtifact
from nbvc.core.storage.hashing import TREE_SUFFIX
from nbvc.core.storage.tree import FileMeta, Tree

MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".diff": "text/x-diff",
    ".pkl": "application/x-pickle",
}
PLOTLY_JSON = "application/vnd.plotly.v1+json"


def media_type(name: str) -> str:
    return MEDIA_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")


def store_path(repo: Repo, path: str, name: str | None) -> RunArtifact:
    """A file or folder (anywhere on disk) stored as an object or a tree."""
    full = os.path.abspath(path)
    if not os.path.exists(full):
        raise LoggingError(f"cannot log {path}: no such file or folder")
    name = name or os.path.basename(full.rstrip(os.sep))
    if os.path.isdir(full):
        tree = _store_folder(repo, full)
        return RunArtifact(name, "folder", tree.oid, tree.size, "inode/directory", path=path)
    stored = repo.odb.add_file(full)
    return RunArtifact(name, "file", stored.oid, stored.size, media_type(name), path=path)


def _store_folder(repo: Repo, folder: str) -> Tree:
    files: dict[str, FileMeta] = {}
    empty: set[str] = set()
    for current, dirs, names in os.walk(folder):
        dirs.sort()
        rel_dir = os.path.relpath(current, folder)
        if not dirs and not names and rel_dir != ".":
            empty.add(rel_dir.replace(os.sep, "/"))
        for file_name in sorted(names):
            full = os.path.join(current, file_name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            stored = repo.odb.add_file(full)
            rel = os.path.relpath(full, folder).replace(os.sep, "/")
            executable = bool(os.stat(full).st_mode & stat.S_IXUSR)
            files[rel] = FileMeta(stored.oid, stored.size, executable)
    tree = Tree(files, frozenset(empty))
    repo.odb.add_bytes(tree.serialize(), TREE_SUFFIX)
    return tree


def store_bytes(
    repo: Repo, data: bytes, name: str, kind: str, media: str, step: int | None = None
) -> RunArtifact:
    oid = repo.odb.add_bytes(data)
    return RunArtifact(name, kind, oid, len(data), media, step)


def figure_bytes(figure: Any, name: str) -> tuple[bytes, str, str]:
    """``(data, name, media type)`` of a matplotlib or plotly figure."""
    if hasattr(figure, "savefig"):  # matplotlib Figure (or pyplot itself)
        import io

        fmt = os.path.splitext(name)[1].lstrip(".").lower() or "png"
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, bbox_inches="tight")
        full = name if name.lower().endswith(f".{fmt}") else f"{name}.{fmt}"
        return buffer.getvalue(), full, media_type(full)
    if hasattr(figure, "to_plotly_json") and hasattr(figure, "to_json"):  # plotly Figure
        full = name if name.endswith(".json") else f"{name}.plotly.json"
        return str(figure.to_json()).encode("utf-8"), full, PLOTLY_JSON
    raise LoggingError(
        f"log_figure({name!r}): {type(figure).__name__} is not a matplotlib or plotly figure"
    )


def image_bytes(image: Any, name: str) -> tuple[bytes, str]:
    """PNG bytes of a PIL image or an array (H x W, H x W x 3 or 4; floats in 0..1)."""
    import io

    full = name if name.lower().endswith(".png") else f"{name}.png"
    buffer = io.BytesIO()
    if hasattr(image, "save") and hasattr(image, "mode"):  # PIL.Image.Image
        image.save(buffer, format="PNG")
        return buffer.getvalue(), full
    if hasattr(image, "shape") and hasattr(image, "dtype"):
        try:
            from PIL import Image
        except ImportError:
            raise LoggingError(
                "log_image of an array needs Pillow; install it with `pip install pillow`"
            ) from None
        import numpy as np

        array = np.asarray(image)
        if array.dtype.kind == "f":
            array = (np.clip(array, 0.0, 1.0) * 255).round()
        if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
            raise LoggingError(
                f"log_image({name!r}): an image array is H x W or H x W x 1/3/4, "
                f"not {tuple(array.shape)}"
            )
        if array.ndim == 3 and array.shape[2] == 1:
            array = array[:, :, 0]
        Image.fromarray(array.astype(np.uint8)).save(buffer, format="PNG")
        return buffer.getvalue(), full
    raise LoggingError(
        f"log_image({name!r}): {type(image).__name__} is not a PIL image or an array"
    )


def dict_bytes(data: Mapping[str, Any], name: str) -> tuple[bytes, str]:
    """JSON (or YAML when ``name`` ends in .yaml/.yml) of a mapping."""
    if not isinstance(data, Mapping):
        raise LoggingError(f"log_dict({name!r}) takes a mapping, not {type(data).__name__}")
    if name.lower().endswith((".yaml", ".yml")):
        import yaml

        return yaml.safe_dump(dict(data), sort_keys=False).encode("utf-8"), name
    full = name if name.lower().endswith(".json") else f"{name}.json"
    try:
        text = json.dumps(data, indent=2, allow_nan=False, default=_plain)
    except (TypeError, ValueError) as exc:
        raise LoggingError(f"log_dict({name!r}): {exc}") from None
    return text.encode("utf-8"), full


def table_bytes(table: Any, name: str) -> tuple[bytes, str]:
    """A pandas DataFrame (or a list of row mappings) as JSON ``{"columns", "data"}``
    (or CSV when ``name`` ends in .csv)."""
    if name.lower().endswith(".csv") and hasattr(table, "to_csv"):
        return str(table.to_csv(index=False)).encode("utf-8"), name
    if hasattr(table, "to_dict") and hasattr(table, "columns"):
        columns = [str(c) for c in table.columns]
        rows = [[_cell(v) for v in row] for row in table.itertuples(index=False, name=None)]
    elif isinstance(table, list) and all(isinstance(row, Mapping) for row in table):
        columns = list(dict.fromkeys(str(k) for row in table for k in row))
        rows = [[_cell(row.get(c)) for c in columns] for row in table]
    else:
        raise LoggingError(
            f"log_table({name!r}) takes a pandas DataFrame or a list of row mappings, "
            f"not {type(table).__name__}"
        )
    full = name if name.lower().endswith(".json") else f"{name}.json"
    doc = {"columns": columns, "data": rows}
    return json.dumps(doc, default=_plain, allow_nan=False).encode("utf-8"), full


def _cell(value: Any) -> Any:
    """A table cell: numpy scalars as Python numbers, NaN and infinities as None (JSON has
    neither)."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _plain(value: Any) -> Any:
    """numpy scalars, timestamps and the like as JSON can hold them."""
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
