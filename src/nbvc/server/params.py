"""Typed reading of JSON request bodies (and job arguments): a wrong field is a 400 that names it.

Each request kind is a small frozen dataclass; the REST handlers and the jobs parse the same
way, so ``POST /artifacts/add`` and a job of kind ``add`` accept exactly the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from nbvc.core import (
    AddOptions,
    PullOptions,
    PushOptions,
    ReproOptions,
    VerbOption,
    verb_options,
)
from nbvc.server.errors import BAD_REQUEST, ApiError

V = TypeVar("V")

MAX_ITEMS = 1000
MAX_PATH = 1024
MAX_NAME = 200
MAX_TEXT = 10_000


class Fields:
    """Reads fields out of one JSON object; :meth:`finish` refuses any field not read.

    The limits match the schemas in ``openapi.yaml``; ``null`` is accepted only where the
    contract allows it.
    """

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise ApiError(BAD_REQUEST, f"{where} must be a JSON object")
        self.data: dict[str, Any] = data
        self.where = where
        self.read: set[str] = set()

    def _get(self, name: str, required: bool = False, nullable: bool = False) -> Any:
        self.read.add(name)
        if name not in self.data:
            if required:
                raise ApiError(BAD_REQUEST, f"{self.where} needs the field {name!r}")
            return None
        value = self.data[name]
        if value is None and not nullable:
            raise ApiError(BAD_REQUEST, f"{self.where}: {name!r} must not be null")
        return value

    def text(self, name: str, limit: int, default: str | None = None) -> str:
        """A string field; required unless it has a ``default``."""
        value = self._get(name, required=default is None)
        if value is None:
            return default or ""
        return self._check_text(name, value, limit)

    def optional_text(self, name: str, limit: int) -> str | None:
        value = self._get(name, nullable=True)
        return None if value is None else self._check_text(name, value, limit)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self._get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ApiError(BAD_REQUEST, f"{self.where}: {name!r} must be true or false")
        return value

    def positive_int(self, name: str) -> int | None:
        value = self._get(name, nullable=True)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ApiError(BAD_REQUEST, f"{self.where}: {name!r} must be a whole number >= 1")
        return value

    def texts(self, name: str, limit: int, required: bool = False) -> list[str]:
        value = self._get(name, required=required)
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            raise ApiError(
                BAD_REQUEST, f"{self.where}: {name!r} must be a list of at most {MAX_ITEMS} strings"
            )
        items = [self._check_text(name, item, limit) for item in value]
        if required and not items:
            raise ApiError(BAD_REQUEST, f"{self.where}: {name!r} must not be empty")
        return items

    def mapping(self, name: str) -> dict[str, Any]:
        """A JSON object field; ``{}`` if absent."""
        value = self._get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ApiError(BAD_REQUEST, f"{self.where}: {name!r} must be a JSON object")
        return value

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            raise ApiError(BAD_REQUEST, f"{self.where} has unknown field(s): {', '.join(unknown)}")

    def _check_text(self, name: str, value: object, limit: int) -> str:
        if not isinstance(value, str):
            raise ApiError(BAD_REQUEST, f"{self.where}: {name!r} must be a string")
        if len(value) > limit:
            raise ApiError(BAD_REQUEST, f"{self.where}: {name!r} is longer than {limit}")
        return value


@dataclass(frozen=True)
class CheckoutRequest:
    path: str
    artifact: str
    ref: str | None
    force: bool

    @classmethod
    def parse(cls, data: object, where: str = "request body") -> CheckoutRequest:
        fields = Fields(data, where)
        request = cls(
            fields.text("path", MAX_PATH, ""),
            fields.text("artifact", MAX_PATH),
            fields.optional_text("ref", MAX_NAME),
            fields.flag("force"),
        )
        fields.finish()
        return request


@dataclass(frozen=True)
class TagRequest:
    path: str
    artifact: str
    ref: str | None
    name: str

    @classmethod
    def parse(cls, data: object, where: str = "request body") -> TagRequest:
        fields = Fields(data, where)
        request = cls(
            fields.text("path", MAX_PATH, ""),
            fields.text("artifact", MAX_PATH),
            fields.optional_text("ref", MAX_NAME),
            fields.text("name", MAX_NAME),
        )
        fields.finish()
        return request


@dataclass(frozen=True)
class GcRequest:
    path: str
    dry_run: bool
    keep_last: int | None

    @classmethod
    def parse(cls, data: object, where: str = "request body") -> GcRequest:
        fields = Fields(data, where)
        request = cls(
            fields.text("path", MAX_PATH, ""),
            fields.flag("dry_run"),
            fields.positive_int("keep_last"),
        )
        fields.finish()
        return request


@dataclass(frozen=True)
class FsckRequest:
    path: str

    @classmethod
    def parse(cls, data: object, where: str = "request body") -> FsckRequest:
        fields = Fields(data, where)
        request = cls(fields.text("path", MAX_PATH, ""))
        fields.finish()
        return request


@dataclass(frozen=True)
class VerbRequest(Generic[V]):
    """Job arguments of a verb whose options :mod:`nbvc.core.verbs` declares: the repo
    (``path``) and the options the REST API offers (the others keep their defaults)."""

    path: str
    options: V


def parse_options(verb: type[V], data: object, where: str) -> VerbRequest[V]:
    fields = Fields(data, where)
    path = fields.text("path", MAX_PATH, "")
    values = {
        spec.name: _read(fields, spec, spec.option.rest)
        for spec in verb_options(verb)
        if spec.option.rest is not None
    }
    fields.finish()
    return VerbRequest(path, verb(**values))


def _read(fields: Fields, spec: VerbOption, name: str) -> Any:
    limit = spec.option.max_length or MAX_PATH
    if spec.kind is bool:
        return fields.flag(name, spec.default)
    if spec.many:
        return tuple(fields.texts(name, limit, required=spec.option.required))
    if spec.option.minimum == 1:
        return fields.positive_int(name)
    if spec.kind is str:
        return fields.text(name, limit, spec.default)
    return fields.optional_text(name, limit)


def parse_add(data: object, where: str = "request body") -> VerbRequest[AddOptions]:
    return parse_options(AddOptions, data, where)


def parse_repro(data: object, where: str = "request body") -> VerbRequest[ReproOptions]:
    return parse_options(ReproOptions, data, where)


def parse_push(data: object, where: str = "request body") -> VerbRequest[PushOptions]:
    return parse_options(PushOptions, data, where)


def parse_pull(data: object, where: str = "request body") -> VerbRequest[PullOptions]:
    return parse_options(PullOptions, data, where)
