"""A read-only pre-order walk over a libcst tree, dispatching `visit_<NodeType>` like CSTVisitor.

libcst's own visit rebuilds every node it passes (and validates it again), which costs more than
the parse for a typical DAG file; analysis that only reads needs none of that. Whitespace,
comments and token nodes are not visited. A `visit_*` method that returns False skips the node's
children, as with CSTVisitor. There are no `leave_*` calls.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import libcst as cst

_FIELDS: dict[type, tuple[str, ...]] = {}
_METHODS: dict[tuple[type, type], Any] = {}
# Per value type: walk into it? Whitespace, comments, brackets and operator tokens hold nothing
# but more of the same, and no analysis visits them: about half the nodes of a DAG file. (A cache
# keyed by type, because isinstance against libcst's abstract CSTNode costs an ABC check each time.)
_WALKED: dict[type, bool] = {}
_SKIPPED_MODULES = ("libcst._nodes.whitespace", "libcst._nodes.op")
_SKIPPED = {cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
            cst.RightCurlyBrace}


def _walked(kind: type) -> bool:
    answer = _WALKED.get(kind)
    if answer is None:
        answer = _WALKED[kind] = (
            issubclass(kind, cst.CSTNode) and kind.__module__ not in _SKIPPED_MODULES and kind not in _SKIPPED
        )
    return answer


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


# Each node's children, for the tree of one module at a time: the families walk a file several times
# (and a report's matrix once per target), and the children of a node never change. Kept while the
# module is (`_OWNER` holds it, so no id is reused), dropped when another module is walked.
_CHILDREN: dict[int, tuple[cst.CSTNode, list[cst.CSTNode]]] = {}  # (the node itself: its id stays its own)
_OWNER: list[Any] = [None]


def remember_children_of(module: Any) -> None:
    """Keep children lists for `module`'s nodes from now on (and forget another module's)."""
    if _OWNER[0] is not module:
        _CHILDREN.clear()
        _OWNER[0] = module


def children(node: cst.CSTNode, skip: frozenset[str] = frozenset()) -> list[cst.CSTNode]:
    """The node's walked children, in field order (fields named in `skip` left out)."""
    if skip or _OWNER[0] is None:
        return _children(node, skip)
    known = _CHILDREN.get(id(node))
    if known is None or known[0] is not node:
        known = _CHILDREN[id(node)] = (node, _children(node, skip))
    return known[1]


def _children(node: cst.CSTNode, skip: frozenset[str]) -> list[cst.CSTNode]:
    walked = _WALKED
    found = []
    kind = type(node)
    for name in _FIELDS.get(kind) or _fields(kind):
        if skip and name in skip:
            continue
        value = getattr(node, name)
        value_type = type(value)
        # Inline lookups, the miss path computed once per type: a dict subclass with
        # __missing__, or a generator, measured about 1.7x slower on this loop.
        if value_type is list or value_type is tuple:
            for item in value:
                item_type = type(item)
                if walked.get(item_type) or (item_type not in walked and _walked(item_type)):
                    found.append(item)
        elif walked.get(value_type) or (value_type not in walked and _walked(value_type)):
            found.append(value)
    return found


def walk(node: cst.CSTNode, visitor: Any) -> None:
    stack = [node]
    visitor_type = type(visitor)
    while stack:
        current = stack.pop()
        key = (visitor_type, type(current))
        method = _METHODS.get(key, _METHODS)
        if method is _METHODS:
            method = _METHODS[key] = getattr(visitor_type, "visit_" + type(current).__name__, None)
        if method is not None and method(visitor, current) is False:
            continue
        stack.extend(reversed(children(current)))
