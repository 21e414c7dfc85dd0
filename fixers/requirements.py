"""Requirement-line edits: replace a line keeping its trailing comment, or delete it whole."""

from __future__ import annotations

import re
from typing import Optional

from dagshift.linter.diagnostics import Edit

COMMENT_RE = re.compile(r"\s+#.*$")


def replace_line(text: str, start: int, end: int, end_with_break: int, replacement: Optional[str]) -> Edit:
    """text[start:end] is one logical requirement line; None deletes it with its line break."""
    if replacement is None:
        return Edit(start, end_with_break, "")
    comment = COMMENT_RE.search(text[start:end])
    return Edit(start, end, replacement + (comment.group(0) if comment else ""))
