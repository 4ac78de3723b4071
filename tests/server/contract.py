"""Check answers against ``openapi.yaml``: every API call in the server tests goes through here."""

from __future__ import annotations

import functools
import re
from typing import Any

from jsonschema import Draft202012Validator

from nbvc.server import openapi


@functools.cache
def _operations() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    doc = openapi.document()
    table = []
    for template, item in doc["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        for method, operation in item.items():
            if method in {"get", "post", "delete", "put", "patch"}:
                table.append((pattern, method, operation))
    return table


def operation(method: str, path: str) -> dict[str, Any] | None:
    for pattern, op_method, op in _operations():
        if op_method == method.lower() and pattern.match(path):
            return op
    return None


def check_answer(method: str, path: str, status: int, body: Any) -> None:
    """Fail unless ``status`` is documented for the operation and ``body`` matches its schema."""
    op = operation(method, path)
    assert op is not None, f"{method} {path} is not in openapi.yaml"
    responses = op["responses"]
    assert str(status) in responses, f"{method} {path} answered {status}, not documented"
    response = responses[str(status)]
    if "$ref" in response:
        response = openapi.document()["components"]["responses"][response["$ref"].split("/")[-1]]
    schema = response["content"]["application/json"]["schema"]
    root = {"allOf": [schema], "components": openapi.document()["components"]}
    errors = sorted(Draft202012Validator(root).iter_errors(body), key=str)
    assert not errors, f"{method} {path} {status}: {errors[0].message}"
