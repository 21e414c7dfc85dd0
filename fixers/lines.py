"""Line-level helpers for edits: the indentation a statement sits at, deleting whole lines."""

from __future__ import annotations

from typing import Any, Optional

from dagshift.linter.diagnostics import Edit, Fix, LineIndex


def line_start(index: LineIndex, offset: int) -> int:
    """Offset of the first character of the line holding `offset`."""
    return index.offset(index.position(offset)[0], 1)


def alone_on_its_lines(ctx: Any, node: Any) -> bool:
    """Nothing else on the node's first and last lines, and no comment in it: its lines can be
    deleted, or its names folded into another statement, without touching anything else."""
    start, end = ctx.span(node)
    return ("#" not in ctx.text[start:end] and ctx.text[line_start(ctx.index, start) : start] == ""
            and ctx.text[end:].split("\n", 1)[0].strip() == "")


def indent_at(index: LineIndex, offset: int) -> str:
    """The whitespace before `offset` on its line; empty when something else precedes it there."""
    before = index.text[line_start(index, offset) : offset]
    return before if not before.strip() else ""


def delete_lines(index: LineIndex, start: int, end: int) -> Edit:
    """Delete the whole lines from the one holding `start` to the one holding `end`, line break included."""
    last = index.position(max(end - 1, start))[0]
    after = index.offset(last + 1, 1) if last < index.line_count else len(index.text)
    return Edit(line_start(index, start), after, "")


def delete_statement(ctx: Any, line: Any, applicability: str, title: str) -> Optional[Fix]:
    """Delete a statement's whole lines; None when code precedes it on its first line."""
    start, end = ctx.span(line)
    if ctx.text[line_start(ctx.index, start) : start].strip():
        return None
    return Fix((delete_lines(ctx.index, start, end),), applicability, title)
