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


def add_keywords(ctx: Any, call: Any, keywords: list[str], title: str) -> Optional[Fix]:
    """Append `key=value` arguments to a call, in the call's own layout: on a line of their own
    (with the trailing comma style kept) when the last argument has one, else after it on its line.
    None for a call with no arguments written across lines we cannot follow."""
    text = ctx.text
    args = list(call.args)
    if not args:
        open_at = text.index("(", ctx.span(call.func)[1])
        return Fix((Edit(open_at + 1, open_at + 1, ", ".join(keywords)),), SAFE, title)
    start = ctx.span(args[-1])[0]  # the keyword's start: where the argument's line begins
    end = ctx.span(args[-1].value)[1]
    line_start = text.rfind("\n", 0, start) + 1
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    trailing_comma = after < len(text) and text[after] == ","
    if not text[line_start:start].strip():  # one argument per line
        indent = text[line_start:start]
        newline = ctx.module.default_newline
        added = "".join(f"{newline}{indent}{k}," for k in keywords)
        if trailing_comma:
            return Fix((Edit(after + 1, after + 1, added),), SAFE, title)
        return Fix((Edit(end, end, "," + added[: -1]),), SAFE, title)
    if trailing_comma:
        return Fix((Edit(after + 1, after + 1, " " + ", ".join(keywords) + ","),), SAFE, title)
    return Fix((Edit(end, end, ", " + ", ".join(keywords)),), SAFE, title)
