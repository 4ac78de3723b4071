"""Run search in MLflow's syntax, compiled to one SQL query over the run index.

    metrics.accuracy > 0.9 and params.model = 'rf' and tags.stage = 'prod'
    attributes.status = 'failed' and start_time > '2026-01-01'
    params.model IN ('rf', 'gb') and run_name LIKE 'fold-%'

Clauses are joined by ``and`` (MLflow has no ``or``). Keys: ``metrics.NAME``, ``params.NAME``,
``tags.NAME`` (a name with spaces or odd characters in backticks or double quotes) and the
attributes ``status``, ``start_time``, ``end_time``, ``duration``, ``run_name`` (or ``name``),
``run_id`` (or ``id``), ``source`` and ``parent`` (with or without ``attributes.``).
Comparisons: ``= != < <= > >=``, ``LIKE`` (case-sensitive, ``%`` and ``_``), ``ILIKE``, ``IN``
and ``NOT IN``. Times are seconds since the epoch, milliseconds (as MLflow writes them) or
ISO dates. MLflow's statuses (FINISHED, KILLED, ...) mean nbvc's (completed, interrupted, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nbvc.core.errors import FilterError

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.]))
      | (?P<op><=|>=|!=|<>|==|=|<|>)
      | (?P<punct>[(),])
      | (?P<word>(?:[A-Za-z_][\w]*\.)?(?:`[^`]+`|"[^"]+"|[\w./:\-]+))
    )""",
    re.VERBOSE,
)
VALUE_KINDS = {
    "metrics": "metric", "metric": "metric", "params": "param", "param": "param",
    "parameters": "param", "tags": "tag", "tag": "tag",
}  # fmt: skip
ATTRIBUTES = {
    "status": "r.status", "start_time": "r.started", "started": "r.started",
    "end_time": "r.ended", "ended": "r.ended", "duration": "r.duration",
    "run_name": "n.name", "name": "n.name", "run_id": "r.id", "id": "r.id",
    "source": "r.source", "parent": "n.parent", "parent_run_id": "n.parent",
}  # fmt: skip
TIME_COLUMNS = ("r.started", "r.ended")
MLFLOW_STATUSES = {
    "finished": "completed", "killed": "interrupted", "scheduled": "running",
}  # fmt: skip
# a param or tag value as text: JSON strings unquoted, numbers as written
_TEXT = "CASE WHEN substr(v.value, 1, 1) = '\"' THEN json_extract(v.value, '$') ELSE v.value END"


@dataclass(frozen=True)
class Clause:
    key: str  # as written
    kind: str  # metric, param, tag or attribute
    name: str  # the value's name, or the attribute's column
    op: str  # =, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN
    values: tuple[Any, ...]


@dataclass(frozen=True)
class RunFilter:
    """A parsed search: an SQL condition over ``runs r`` joined with ``run_names n``, and its
    parameters."""

    text: str
    clauses: tuple[Clause, ...]

    def sql(self) -> tuple[str, list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        for clause in self.clauses:
            part, values = _clause_sql(clause)
            parts.append(part)
            params.extend(values)
        return " AND ".join(parts) or "1", params


def parse_filter(text: str) -> RunFilter:
    tokens = _tokens(text)
    clauses = []
    position = 0
    while position < len(tokens):
        clause, position = _clause(text, tokens, position)
        clauses.append(clause)
        if position < len(tokens):
            kind, word = tokens[position]
            if kind != "word" or word.lower() != "and":
                hint = " (MLflow's search syntax has no OR)" if word.lower() == "or" else ""
                raise FilterError(f"filter {text!r}: expected 'and' at {word!r}{hint}")
            position += 1
            if position == len(tokens):
                raise FilterError(f"filter {text!r}: a condition must follow 'and'")
    return RunFilter(text, tuple(clauses))


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FilterError(f"filter {text!r}: cannot read {text[position:].strip()[:20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Tokens:
    def __init__(self, text: str, tokens: list[tuple[str, str]], at: int) -> None:
        self.text, self.tokens, self.at = text, tokens, at

    def take(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise FilterError(f"filter {self.text!r} ends too early")
        self.at += 1
        return self.tokens[self.at - 1]

    def operator(self, key: str) -> str:
        kind, op = self.take()
        op = op.upper()
        if kind == "word" and op == "NOT":
            if self.take()[1].upper() != "IN":
                raise FilterError(f"filter {self.text!r}: expected IN after NOT")
            return "NOT IN"
        if kind == "op":
            return {"==": "=", "<>": "!="}.get(op, op)
        if kind == "word" and op in ("LIKE", "ILIKE", "IN"):
            return op
        raise FilterError(f"filter {self.text!r}: expected a comparison after {key}, not {op!r}")

    def values(self, op: str) -> list[Any]:
        if op not in ("IN", "NOT IN"):
            return [_literal(self.text, self.take())]
        if self.take() != ("punct", "("):
            raise FilterError(f"filter {self.text!r}: {op} takes a list in parentheses")
        values = []
        while True:
            values.append(_literal(self.text, self.take()))
            word = self.take()[1]
            if word == ")":
                return values
            if word != ",":
                raise FilterError(f"filter {self.text!r}: expected ',' or ')' in the {op} list")


def _clause(text: str, tokens: list[tuple[str, str]], at: int) -> tuple[Clause, int]:
    cursor = _Tokens(text, tokens, at)
    kind, key = cursor.take()
    if kind != "word":
        raise FilterError(f"filter {text!r}: expected a key such as metrics.NAME, not {key!r}")
    value_kind, name = _key(text, key)
    op = cursor.operator(key)
    clause = Clause(key, value_kind, name, op, tuple(cursor.values(op)))
    _check(text, clause)
    return clause, cursor.at


def _key(text: str, key: str) -> tuple[str, str]:
    prefix, dot, rest = key.partition(".")
    if dot and prefix.lower() in VALUE_KINDS:
        return VALUE_KINDS[prefix.lower()], _unquote(rest)
    if dot and prefix.lower() in ("attributes", "attribute", "attr", "run"):
        key = rest
    column = ATTRIBUTES.get(_unquote(key).lower())
    if column is None:
        raise FilterError(
            f"filter {text!r}: unknown key {key!r}; use metrics.NAME, params.NAME, tags.NAME "
            f"or one of {', '.join(sorted(set(ATTRIBUTES) - {'id', 'name'}))}"
        )
    return "attribute", column


def _unquote(name: str) -> str:
    if len(name) > 1 and name[0] == name[-1] and name[0] in "`\"'":
        return name[1:-1]
    return name


def _literal(text: str, token: tuple[str, str]) -> Any:
    kind, word = token
    if kind == "number":
        number = float(word)
        return (
            int(number) if number.is_integer() and "." not in word and "e" not in word else number
        )
    if kind == "string":
        return re.sub(r"\\(.)", r"\1", word[1:-1])
    raise FilterError(f"filter {text!r}: expected a number or a 'quoted string', not {word!r}")


def _check(text: str, clause: Clause) -> None:
    numeric_only = clause.kind == "metric" or clause.name in ("r.duration", *TIME_COLUMNS)
    if clause.op in ("LIKE", "ILIKE") and (numeric_only or not isinstance(clause.values[0], str)):
        raise FilterError(f"filter {text!r}: {clause.op} compares text, not {clause.key}")
    if clause.kind == "metric" and not all(isinstance(v, int | float) for v in clause.values):
        raise FilterError(f"filter {text!r}: {clause.key} is compared with a number")
    if clause.name in TIME_COLUMNS:
        for value in clause.values:
            try:
                _seconds(value)
            except FilterError as exc:
                raise FilterError(f"filter {text!r}: {exc}") from None


def _clause_sql(clause: Clause) -> tuple[str, list[Any]]:
    if clause.kind == "attribute":
        values = [_attribute_value(clause.name, v) for v in clause.values]
        return _compare(clause.name, clause.op, values)
    if clause.kind == "metric":
        target = "v.num"
        values = list(clause.values)
    elif all(isinstance(v, int | float) for v in clause.values) and clause.op not in ("=", "!="):
        target = "v.num"  # params.lr > 0.01: a number compared as one
        values = list(clause.values)
    else:
        target = _TEXT
        values = [_text(v) for v in clause.values]
    condition, params = _compare(target, clause.op, values)
    # not correlated: SQLite builds the set of matching runs once (one pass over the values'
    # (kind, name, num) index), where EXISTS per run would scan those values for every run
    sql = (
        "r.id IN (SELECT v.run_id FROM run_values v WHERE v.kind = ? "
        f"AND v.name = ? AND {condition})"
    )
    return sql, [clause.kind, clause.name, *params]


def _compare(target: str, op: str, values: list[Any]) -> tuple[str, list[Any]]:
    if op in ("IN", "NOT IN"):
        marks = ", ".join("?" for _ in values)
        return f"{target} {op} ({marks})", values
    if op == "LIKE":  # SQLite's LIKE ignores case; GLOB keeps it
        return f"{target} GLOB ?", [_glob(str(values[0]))]
    if op == "ILIKE":
        return f"{target} LIKE ? ESCAPE '\\'", [values[0]]
    return f"{target} {op} ?", values


def _text(value: Any) -> str:
    return str(value)


def _glob(pattern: str) -> str:
    out = []
    for char in pattern:
        if char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        elif char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)


def _attribute_value(column: str, value: Any) -> Any:
    if column in TIME_COLUMNS:
        return _seconds(value)
    if column == "r.status" and isinstance(value, str):
        lowered = value.lower()
        return MLFLOW_STATUSES.get(lowered, lowered)
    return value


def _seconds(value: Any) -> float:
    if isinstance(value, int | float):
        return value / 1000.0 if value > 1e11 else float(value)  # MLflow writes milliseconds
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise FilterError(
            f"{value!r} is not a time: use seconds or milliseconds since 1970, or an ISO date"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
