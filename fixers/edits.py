"""One-edit fixes: replace a span, insert text at an offset. Every file kind uses them."""

from __future__ import annotations

from dagshift.linter.diagnostics import SAFE, Edit, Fix


def replace_span(start: int, end: int, content: str, title: str, applicability: str = SAFE) -> Fix:
    """Replace text[start:end] (a key, a value, a keyword, a command) with `content`."""
    return Fix((Edit(start, end, content),), applicability, title)


def insert_at(offset: int, content: str, title: str, applicability: str = SAFE) -> Fix:
    return Fix((Edit(offset, offset, content),), applicability, title)
