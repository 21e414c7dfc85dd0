"""A call rewritten whole: another callable, other arguments, in the call's own layout.

Arguments arrive as (keyword, value code) pairs; a value may be a nested dict (`DictValue`), written
on one line in a one-line call and one entry per line in a call written one argument per line.
"""

from __future__ import annotations

from typing import Any, Optional, Union

import libcst as cst

from dagshift.linter.diagnostics import Edit

# A dict written by a fix: (key code, value) pairs; a value is code, or a dict of its own; an entry
# whose value is None is written whole (`**mapping`, or `"key": value` copied from the source).
DictValue = list[tuple[str, Union[str, "DictValue", None]]]
Value = Union[str, DictValue]


def has_comments(node: cst.CSTNode, besides: int = 0) -> bool:
    """Whether more than `besides` comments sit inside the node (a rewrite would lose the others)."""
    found = []

    class _Find(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(comment)

    node.visit(_Find())
    return len(found) > besides


def line_comments(call: cst.Call) -> dict[int, str]:
    """id(argument) -> the comment ending the argument's line (`sql="x",  # why`), for the arguments
    of a call written one per line."""
    found = {}
    for arg in call.args:
        after = arg.comma.whitespace_after if isinstance(arg.comma, cst.Comma) else arg.whitespace_after_arg
        if isinstance(after, cst.ParenthesizedWhitespace) and after.first_line.comment is not None:
            found[id(arg)] = after.first_line.comment.value
    return found


def argument_indent(ctx: Any, call: cst.Call) -> Optional[str]:
    """The indent of a call's arguments when it writes one per line, else None (one line)."""
    if not call.args:
        return None
    start = ctx.span(call.args[0])[0]
    line_start = ctx.text.rfind("\n", 0, start) + 1
    indent = ctx.text[line_start:start]
    return indent if not indent.strip() else None


def dict_code(items: DictValue, indent: Optional[str], newline: str) -> str:
    """`{key: value, ...}`: on one line (indent None), else one entry per line below `indent`."""
    if indent is None:
        return "{" + ", ".join(_entry(k, v, None, newline) for k, v in items) + "}"
    inner = indent + "    "
    lines = "".join(f"{newline}{inner}{_entry(k, v, inner, newline)}," for k, v in items)
    return "{" + lines + newline + indent + "}"


def _entry(key: str, value: Optional[Value], indent: Optional[str], newline: str) -> str:
    """`key: value`, or an entry written whole (its value None)."""
    return key if value is None else f"{key}: {_value(value, indent, newline)}"


def _value(value: Value, indent: Optional[str], newline: str) -> str:
    return value if isinstance(value, str) else dict_code(value, indent, newline)


def rewrite_call(ctx: Any, call: cst.Call, func: str, arguments: list[tuple[str, Value]],
                 comments: Optional[dict[str, str]] = None) -> Edit:
    """`func(key=value, ...)` in place of the call, laid out as the call was: one argument per line
    (with a trailing comma, and the comment `comments` gives the keyword) when its first argument was
    on a line of its own, else on one line."""
    start, end = ctx.span(call)
    newline = ctx.module.default_newline
    indent = argument_indent(ctx, call)
    if indent is None:
        inner = ", ".join(f"{k}={_value(v, None, newline)}" for k, v in arguments)
        return Edit(start, end, f"{func}({inner})")
    close_start = ctx.text.rfind("\n", 0, end) + 1
    closing = ctx.text[close_start:end - 1]
    closing = closing if not closing.strip() else indent[:-4] if len(indent) >= 4 else ""
    said = comments or {}
    body = "".join(f"{newline}{indent}{k}={_value(v, indent, newline)},"
                   + (f"  {said[k]}" if k in said else "") for k, v in arguments)
    return Edit(start, end, f"{func}({body}{newline}{closing})")
