"""Request bodies: read within limits, then validated against ``openapi.yaml``.

Every body goes through :func:`parse` before a handler looks at it: more than
:data:`MAX_BODY` bytes is a 413; anything that is not UTF-8 JSON nested at most
:data:`MAX_DEPTH` deep, or that the operation's schema refuses, is a 400 whose message names the
field. The typed readers in :mod:`nbvc.server.params` then only see documents the contract
allows.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

from nbvc.core import FormatError, load_json_within_limits
from nbvc.server import openapi
from nbvc.server.errors import BAD_REQUEST, TOO_LARGE, ApiError

MAX_BODY = 1 << 20
MAX_DEPTH = 16  # the deepest body the contract allows is 3 levels
WHERE = "request body"

_TYPES = {
    "object": "a JSON object",
    "array": "a list",
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
}


def parse(raw: bytes, template: str, method: str) -> Any:
    """The JSON body of ``method template`` (an openapi path), checked; raises ApiError."""
    if len(raw) > MAX_BODY:
        raise ApiError(TOO_LARGE, f"the {WHERE} is larger than {MAX_BODY >> 10} KiB")
    try:
        doc = load_json_within_limits(raw or b"null", WHERE)
        _check_depth(doc)
    except FormatError as exc:
        message = str(exc)
        if "cannot be parsed" in message or "UTF-8" in message:
            message = f"the {WHERE} is not valid JSON ({message})"
        raise ApiError(BAD_REQUEST, message) from None
    validator = _validator(template, method)
    if validator is not None:
        check(validator, doc)
    return doc


def check(validator: Draft202012Validator, doc: Any) -> None:
    error = _first_error(validator, doc)
    if error is not None:
        raise ApiError(BAD_REQUEST, describe(error))


def _check_depth(doc: Any) -> None:
    stack = [(doc, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FormatError(f"the {WHERE} is nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


@functools.cache
def _validator(template: str, method: str) -> Draft202012Validator | None:
    doc = openapi.document()
    operation = doc["paths"].get(template, {}).get(method.lower())
    if operation is None or "requestBody" not in operation:
        return None
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return Draft202012Validator({"allOf": [schema], "components": doc["components"]})


def _first_error(validator: Draft202012Validator, doc: Any) -> ValidationError | None:
    """The error to report. Inside a ``oneOf``: the error of the branch the document names by
    a ``const`` field (a job's ``kind``), else the most relevant one."""
    errors = sorted(validator.iter_errors(doc), key=lambda e: (len(e.path), str(e.path)))
    if not errors:
        return None
    error: ValidationError = errors[0]
    while error.validator in ("oneOf", "anyOf", "allOf") and error.context:
        consts = _branch_consts(error)
        if any(consts):
            chosen = next((i for i, c in enumerate(consts) if c and _has(error.instance, c)), None)
            if chosen is None:
                return _unknown_branch(error, consts)
            branch: list[ValidationError] = [
                e for e in error.context if e.relative_schema_path[0] == chosen
            ]
            error = min(branch, key=lambda e: len(e.path))
        else:  # e.g. a value or null: what is wrong with it as a value
            candidates = [
                e
                for e in error.context
                if not (e.validator == "type" and e.validator_value == "null")
            ]
            relevant: ValidationError | None = best_match(candidates or error.context)
            if relevant is None:
                break
            error = relevant
    return error


def _branch_consts(error: ValidationError) -> list[dict[str, Any]]:
    """For each branch of a ``oneOf``: the properties it fixes with ``const``."""
    branches = error.validator_value if isinstance(error.validator_value, list) else []
    return [
        {
            name: prop["const"]
            for name, prop in (branch.get("properties") or {}).items()
            if isinstance(prop, dict) and "const" in prop
        }
        for branch in branches
        if isinstance(branch, dict)
    ]


def _has(instance: Any, consts: dict[str, Any]) -> bool:
    return isinstance(instance, dict) and all(instance.get(k) == v for k, v in consts.items())


def _unknown_branch(error: ValidationError, consts: list[dict[str, Any]]) -> ValidationError:
    """An error saying which values the discriminating field may take."""
    name = next(iter(consts[0]))
    options = [c[name] for c in consts if name in c]
    if not isinstance(error.instance, dict) or name not in error.instance:
        return ValidationError(
            f"needs the field {name!r}", validator="discriminator", instance=error.instance
        )
    given = error.instance[name]
    return ValidationError(
        f"unknown {name} {_shown(given)}; use one of {', '.join(map(str, options))}",
        validator="discriminator",
        validator_value=options,
        instance=given,
    )


def describe(error: ValidationError) -> str:
    """A message that names the field, in the words of the API's other 400s."""
    if error.validator == "discriminator":
        return f"{WHERE}: {error.message}"
    field = _field(error)
    instance: Any = error.instance
    value: Any = error.validator_value
    what = str(error.validator)
    if what == "type":
        types = [value] if isinstance(value, str) else list(value)
        wanted = " or ".join(_TYPES.get(t, t) for t in types if t != "null")
        null = instance is None and field is not None
        problem = "must not be null" if null else f"must be {wanted}"
    elif what == "required":
        present = instance if isinstance(instance, dict) else {}
        problem = f"needs the field {next(n for n in value if n not in present)!r}"
    elif what == "additionalProperties":
        schema: Any = error.schema
        allowed = set(schema.get("properties", {})) if isinstance(schema, dict) else set()
        unknown = sorted(str(k) for k in (instance or {}) if k not in allowed)
        problem = f"has unknown field(s): {', '.join(unknown)}"
    else:
        problem = _PROBLEMS.get(what, "is not valid ({message})").format(
            value=value,
            options=", ".join(map(str, value if isinstance(value, list) else [value])),
            shown=_shown(instance),
            message=error.message[:200],
        )
    return f"{WHERE} {problem}" if field is None else f"{WHERE}: {field} {problem}"


_PROBLEMS = {
    "maxLength": "is longer than {value}",
    "minLength": "must not be empty",
    "minItems": "must not be empty",
    "maxItems": "must hold at most {value} items",
    "minimum": "must be at least {value}",
    "maximum": "must be at most {value}",
    "const": "must be one of {options}",
    "enum": "must be one of {options}",
    "pattern": "is not a valid value ({shown})",
}


def _field(error: ValidationError) -> str | None:
    """``'paths'``, ``'paths'[1]``, ``'args'.'force'``; None for the whole body."""
    parts = []
    for part in error.absolute_path:
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part!r}")
    return "".join(parts).lstrip(".") or None


def _where(error: ValidationError) -> str:
    field = _field(error)
    return WHERE if field is None else f"{WHERE}: {field}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
