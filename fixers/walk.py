"""A read-only pre-order walk over a libcst tree, dispatching `visit_<NodeType>` like CSTVisitor.

libcst's own visit rebuilds every node it passes (and validates it again), which costs more than
the parse for a typical DAG file; analysis that only reads needs none of that. A `visit_*` method
that returns False skips the node's children, as with CSTVisitor. There are no `leave_*` calls.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import libcst as cst

_FIELDS: dict[type, tuple[str, ...]] = {}
_METHODS: dict[tuple[type, type], Any] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def walk(node: cst.CSTNode, visitor: Any) -> None:
    stack = [node]
    visitor_type = type(visitor)
    while stack:
        current = stack.pop()
        kind = type(current)
        key = (visitor_type, kind)
        method = _METHODS.get(key, _METHODS)
        if method is _METHODS:
            method = _METHODS[key] = getattr(visitor_type, "visit_" + kind.__name__, None)
        if method is not None and method(visitor, current) is False:
            continue
        children = []
        for name in _fields(kind):
            value = getattr(current, name)
            if isinstance(value, cst.CSTNode):
                children.append(value)
            elif isinstance(value, (list, tuple)):
                children.extend(item for item in value if isinstance(item, cst.CSTNode))
        stack.extend(reversed(children))
