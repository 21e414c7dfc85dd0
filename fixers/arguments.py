"""Call-argument edits: rename a keyword, delete an argument (or a dict element) with its comma."""

from __future__ import annotations

from typing import Any

from dagshift.linter.diagnostics import SAFE, Edit, Fix


def rename_keyword(ctx: Any, arg: Any, new: str) -> Fix:
    """`old=value` -> `new=value`: only the keyword's own span changes."""
    start, end = ctx.span(arg.keyword)
    return Fix((Edit(start, end, new),), SAFE, f"rename to `{new}`")


def drop_item(ctx: Any, items: list, index: int, what: str) -> Fix:
    """Delete one call argument or dict element with the comma that separates it from its neighbour."""
    start, end = ctx.span(items[index])
    if index + 1 < len(items):
        end = ctx.span(items[index + 1])[0]
    elif index > 0:
        start = ctx.span(items[index - 1])[1]
    return Fix((Edit(start, end, ""),), SAFE, f"remove `{what}`")
