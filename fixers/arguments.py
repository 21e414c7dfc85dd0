"""Call-argument edits: rename a keyword, delete an argument (or a dict element) with its comma."""

from __future__ import annotations

import re
from typing import Any, Optional

from dagshift.linter.diagnostics import SAFE, Edit, Fix


def rename_keyword(ctx: Any, arg: Any, new: str) -> Fix:
    """`old=value` -> `new=value`: only the keyword's own span changes."""
    start, end = ctx.span(arg.keyword)
    return Fix((Edit(start, end, new),), SAFE, f"rename to `{new}`")


def drop_item(ctx: Any, items: list, index: int, what: str) -> Fix:
    """Delete one call argument or dict element with the comma that separates it from its neighbour.

    An item on lines of its own goes with its lines; a comment at the end of them stays, on a line
    of its own (it may say something worth keeping, and must not end up on its neighbour's line)."""
    start, end = ctx.span(items[index])
    whole = _own_lines(ctx.text, start, end)
    if whole is not None:
        return Fix((Edit(*whole),), SAFE, f"remove `{what}`")
    if index + 1 < len(items):
        end = ctx.span(items[index + 1])[0]
    elif index > 0:
        start = ctx.span(items[index - 1])[1]
    return Fix((Edit(start, end, ""),), SAFE, f"remove `{what}`")


_TAIL = re.compile(r"[ \t]*,?[ \t]*(#[^\r\n]*)?(\r\n|\n)")


def _own_lines(text: str, start: int, end: int) -> Optional[tuple[int, int, str]]:
    """(start, end, replacement) deleting the lines the item fills alone (its comma and any
    trailing comment included; the comment is kept as a line of its own), or None."""
    line_start = text.rfind("\n", 0, start) + 1
    indent = text[line_start:start]
    if indent.strip():
        return None
    tail = _TAIL.match(text, end)
    if tail is None:
        return None
    comment, newline = tail.group(1), tail.group(2)
    return line_start, tail.end(), f"{indent}{comment}{newline}" if comment else ""
