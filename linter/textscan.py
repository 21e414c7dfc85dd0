"""Text helpers: line scans for the pre-screens, driven by a substring search, and a file's newline.

A `^`-anchored MULTILINE pattern run with finditer is tried at every position of the file; most
lines cannot match, and a literal every match must contain finds the few that can at memchr speed.
"""

from __future__ import annotations

import re
from typing import Iterator


def line_matches(text: str, literal: str, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """`pattern.match` at the start of each line containing `literal`.

    The same matches as `pattern.finditer(text)` for a `^`-anchored MULTILINE pattern that never
    crosses a line break and whose every match holds `literal` on its line.
    """
    pos = text.find(literal)
    while pos >= 0:
        start = text.rfind("\n", 0, pos) + 1
        match = pattern.match(text, start)
        if match is not None:
            yield match
        end = text.find("\n", pos)
        if end < 0:
            return
        pos = text.find(literal, end + 1)


def newline_of(text: str) -> str:
    """The line break a fix writes into a text file: CRLF when the file uses it, else LF."""
    return "\r\n" if "\r\n" in text else "\n"
