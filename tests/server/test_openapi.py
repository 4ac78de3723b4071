"""The OpenAPI document matches the routes that are implemented, and is served."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from nbvc.server import openapi
from nbvc.server.base import NbvcHandler, ServerContext
from nbvc.server.handlers import UnknownRouteHandler, routes
from nbvc.server.jobs import JobManager
from tests.server.conftest import Api

METHODS = ("get", "post", "put", "patch", "delete")


def implemented() -> dict[str, set[str]]:
    """Route (as an OpenAPI path template) -> the methods its handler implements."""
    table = {}
    for pattern, handler, _ in routes(ServerContext("/", JobManager(workers=1))):
        if handler is UnknownRouteHandler:
            continue
        template = re.sub(r"\([^)]*\)", "{id}", pattern)
        table[template] = {m.lower() for m in handler.allowed_methods()}
    return table


def documented() -> dict[str, set[str]]:
    doc = openapi.document()
    return {path: {m for m in item if m in METHODS} for path, item in doc["paths"].items()}


def test_the_document_lists_exactly_the_implemented_routes() -> None:
    assert documented() == implemented()


def test_every_handler_method_is_authenticated() -> None:
    for _, handler, _ in routes(ServerContext("/", JobManager(workers=1))):
        for method in METHODS:
            function = getattr(handler, method)
            if function is getattr(NbvcHandler, method):
                continue
            # tornado.web.authenticated wraps with functools.wraps; its code is `wrapper`
            assert function.__qualname__.startswith(handler.__qualname__), (handler, method)
            assert getattr(function, "__wrapped__", None) is not None, (handler, method)
            assert function.__code__.co_name == "wrapper", (handler, method)


def test_every_operation_documents_its_errors_and_an_id() -> None:
    ids = set()
    for path, item in openapi.document()["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            ids.add(operation["operationId"])
            assert "403" in operation["responses"], (method, path)
            assert any(code.startswith("2") for code in operation["responses"]), (method, path)
    assert len(ids) == sum(len(m) for m in documented().values())


@pytest.mark.parametrize("name", sorted(openapi.document()["components"]["schemas"]))
def test_every_schema_is_valid_json_schema(name: str) -> None:
    Draft202012Validator.check_schema(openapi.document()["components"]["schemas"][name])


async def test_served_document(api: Api) -> None:
    doc = await api.ok("GET", "openapi.json")
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"] == [{"url": "/a%40b"}]
    assert doc["paths"] == openapi.document()["paths"]
    assert doc["info"]["version"] == "0.1.0"


def test_the_planned_routes_are_not_in_the_served_document() -> None:
    planned = Path(__file__).parents[2] / "docs" / "api" / "planned.openapi.yaml"
    import yaml

    design = yaml.safe_load(planned.read_text(encoding="utf-8"))
    assert design["paths"], "the planned routes are designed there"
    assert not set(design["paths"]) & set(documented())
