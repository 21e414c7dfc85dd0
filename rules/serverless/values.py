"""Literal values of a DAG file's arguments, read from the tree (never evaluated by Python).

`value(node, model)` gives a plain value for what a YAML definition can say: strings, numbers,
booleans, None, lists and dicts of them, `datetime(...)`/`pendulum.datetime(...)` (a Datetime),
`timedelta(...)` (a Duration in seconds), a module-level function (a Callable), and a module-level
name bound to one of those. Anything else raises NotLiteral, naming what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from dagshift.rules.serverless.model import FileModel, literal_str

DATETIMES = ("datetime.datetime", "pendulum.datetime", "pendulum.DateTime")
DURATIONS = ("datetime.timedelta", "pendulum.duration")
UNITS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001,
         "microseconds": 0.000001}
DATE_FIELDS = ("year", "month", "day", "hour", "minute", "second")


class NotLiteral(ValueError):
    """An argument whose value the file computes (named in the message)."""


@dataclass(frozen=True)
class Datetime:
    fields: tuple[int, ...]  # year, month, day[, hour, minute, second]
    tz: str = "UTC"


@dataclass(frozen=True)
class Duration:
    seconds: float


@dataclass(frozen=True)
class Callable:
    name: str  # a module-level function of the file


def number(node: cst.BaseExpression) -> Any:
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0)
    if isinstance(node, cst.Float):
        return float(node.value.replace("_", ""))
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return -number(node.expression)
    raise NotLiteral(_code(node))


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _call(node: cst.Call, model: FileModel, seen: frozenset[str]) -> Any:
    path = model.path_of(node.func) or ""
    kwargs = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    positional = [a.value for a in node.args if a.keyword is None]
    if path in DURATIONS:
        units = list(UNITS) if path == "pendulum.duration" else ["days", "seconds", "microseconds", "milliseconds",
                                                                 "minutes", "hours", "weeks"]
        given = dict(zip(units, positional)) | kwargs
        return Duration(sum(number(v) * UNITS[k] for k, v in given.items() if k in UNITS))
    if path.rsplit(".", 1)[-1] == "Param" and path.startswith("airflow."):  # Param(default, type=...)
        default = positional[0] if positional else kwargs.get("default")
        if default is None:
            raise NotLiteral(_code(node))
        return value(default, model, seen)
    if path in DATETIMES:
        given = dict(zip(DATE_FIELDS, positional)) | {k: v for k, v in kwargs.items() if k in DATE_FIELDS}
        tz = literal_str(kwargs.get("tz")) or literal_str(kwargs.get("tzinfo"))
        if ("tzinfo" in kwargs or "tz" in kwargs) and tz is None:
            raise NotLiteral(_code(node))
        fields = tuple(number(given[f]) for f in DATE_FIELDS if f in given)
        return Datetime(fields, tz or "UTC")
    raise NotLiteral(_code(node))


def value(node: cst.BaseExpression, model: FileModel, seen: frozenset[str] = frozenset()) -> Any:
    text = literal_str(node)
    if text is not None:
        return text
    if isinstance(node, (cst.Integer, cst.Float, cst.UnaryOperation)):
        return number(node)
    if isinstance(node, cst.Name):
        if node.value == "__doc__" and model.docstring is not None:
            return model.docstring
        if node.value in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.value]
        if node.value in model.functions:
            return Callable(node.value)
        if node.value in model.constants and node.value not in seen:
            return value(model.constants[node.value], model, seen | {node.value})
        raise NotLiteral(node.value)
    if isinstance(node, (cst.List, cst.Tuple)):
        return [value(el.value, model, seen) for el in node.elements if isinstance(el, cst.Element)]
    if isinstance(node, cst.Dict):
        out = {}
        for el in node.elements:
            if not isinstance(el, cst.DictElement):
                raise NotLiteral(_code(node))
            key = literal_str(el.key)
            if key is None:
                raise NotLiteral(_code(el.key))
            out[key] = value(el.value, model, seen)
        return out
    if isinstance(node, cst.Call):
        if (model.path_of(node.func) or "") == "dict":
            return {a.keyword.value: value(a.value, model, seen) for a in node.args if a.keyword is not None}
        return _call(node, model, seen)
    raise NotLiteral(_code(node))


def seconds(node: cst.BaseExpression, model: FileModel) -> Any:
    """A duration argument in seconds (a number is seconds too); None when the file computes it."""
    try:
        found = value(node, model)
    except NotLiteral:
        return None
    if isinstance(found, Duration):
        return found.seconds
    return found if isinstance(found, (int, float)) and not isinstance(found, bool) else None
