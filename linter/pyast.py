"""Helpers over CPython's own `ast` trees, for readers that need names but no libcst (the plugin
index in the project phase, the data generators reading wheels)."""

from __future__ import annotations

import ast
from typing import Optional


def dotted(node: ast.expr) -> Optional[str]:
    """`a.b.C` for a Name or an Attribute chain on a Name; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None
