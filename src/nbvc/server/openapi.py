"""The REST contract: ``openapi.yaml`` beside this module, served as JSON."""

from __future__ import annotations

import copy
import functools
import os
from typing import Any

import yaml

from nbvc import __version__

SOURCE = os.path.join(os.path.dirname(__file__), "openapi.yaml")


@functools.cache
def _load() -> dict[str, Any]:
    with open(SOURCE, encoding="utf-8") as handle:
        doc: dict[str, Any] = yaml.safe_load(handle)
    doc["info"]["version"] = __version__
    return doc


def document(base_url: str = "/") -> dict[str, Any]:
    """The contract, with the server's base URL so clients resolve its paths correctly."""
    doc = copy.deepcopy(_load())
    doc["servers"] = [{"url": base_url.rstrip("/") or "/"}]
    return doc
