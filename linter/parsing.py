"""Parsing a Python file safely: the nesting guard, and syntax errors worded as CPython words them."""

from __future__ import annotations

import re
from typing import Optional

from dagshift.linter.diagnostics import LineIndex

# CPython's tokenizer refuses more than 200 nested brackets; libcst's native parser can crash
# (not raise) on far deeper input, so such files are reported before libcst ever sees them.
MAX_NESTING = 200


def nesting_depth(text: str) -> int:
    """Deepest bracket nesting, counted on tokens so brackets inside strings do not count; when
    the file has no more opening brackets than MAX_NESTING, that count (an upper bound) instead."""
    openers = text.count("(") + text.count("[") + text.count("{")
    if openers <= MAX_NESTING:
        return openers  # an upper bound, and under the limit: no need to count further
    naive = depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            naive = max(naive, depth)
        elif ch in ")]}":
            depth -= 1
    if naive <= MAX_NESTING:
        return naive
    import io
    import tokenize

    depth = deepest = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.OP:
                if tok.string in "([{":
                    depth += 1
                    deepest = max(deepest, depth)
                elif tok.string in ")]}":
                    depth -= 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return naive
    return deepest


PY2_HINTS = re.compile(r"^\s*(print\s+[^\s(=]|exec\s+[\"']|except\s+[\w.]+\s*,\s*\w+\s*:)|`|<>|\bur[\"']")


def syntax_error(text: str) -> tuple[int, int, str]:
    """Line, column and message for text that libcst refused, as CPython's own parser words it."""
    return python_syntax_error(text) or (1, 1, "libcst cannot parse this file although CPython can")


def parses(text: str) -> bool:
    import libcst as cst

    if nesting_depth(text) > MAX_NESTING:
        return False
    try:
        cst.parse_module(text)
    except Exception:
        return False
    return True


def python_syntax_error(text: str) -> Optional[tuple[int, int, str]]:
    """(line, column, message) when CPython cannot parse the text, else None. Never runs it.

    No nesting guard here: CPython's own parser refuses deep nesting with a SyntaxError (it is
    libcst's that can crash), and counting brackets would cost more than the parse."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes is the DAG's business
            ast.parse(text)
    except SyntaxError as exc:
        line = exc.lineno or 1
        message = exc.msg
        source = LineIndex(text).line_text(line)
        if PY2_HINTS.search(source) or "Missing parentheses in call to" in message:
            message = f"{message} (this looks like Python 2; Airflow 2 runs on Python 3 only)"
        return line, exc.offset or 1, message
    except (RecursionError, MemoryError, ValueError) as exc:
        return 1, 1, f"the parser gave up: {type(exc).__name__}"
    return None
