"""The data every rule produces and every reporter consumes."""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple, Optional, Sequence

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


def ordered(found: Iterable[str]) -> tuple[str, ...]:
    """Each severity of `found` once, errors first: how a rule's severities on a target are listed."""
    seen = set(found)
    return tuple(s for s in SEVERITIES if s in seen)

LINE_BREAK = re.compile(r"\r\n|\r|\n")

SAFE = "safe"
UNSAFE = "unsafe"


# Named tuples rather than frozen dataclasses: a warm run builds tens of thousands of them from the
# cache, and a frozen dataclass's __init__ costs several times a tuple's.
class Edit(NamedTuple):
    """Replace text[start:end] (character offsets into the decoded file) by `content`."""

    start: int
    end: int
    content: str


class Fix(NamedTuple):
    edits: tuple[Edit, ...]
    applicability: str = SAFE  # SAFE or UNSAFE
    description: str = ""

    @property
    def is_safe(self) -> bool:
        return self.applicability == SAFE


class Location(NamedTuple):
    """1-based line and column; the end column points just past the last character (SARIF style)."""

    line: int
    column: int
    end_line: int
    end_column: int


# Slots where the Python has them (3.10+): a large run holds every finding until it is reported.
@dataclass(**({"slots": True} if sys.version_info >= (3, 10) else {}))
class Diagnostic:
    code: str
    message: str
    path: str
    location: Location
    severity: str
    fix: Optional[Fix] = None
    # Offsets into the text, kept so noqa lookup and fix rendering need no recomputation.
    start: int = 0
    end: int = 0
    # The source line the finding starts on (for reporters and SARIF fingerprints).
    source_line: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self) -> tuple:
        return (self.path, self.location.line, self.location.column, self.code, self.message)


class LineIndex:
    """Converts between character offsets and 1-based (line, column) positions.

    Only "\\n", "\\r\\n" and "\\r" count as line breaks, as in Python's tokenizer, so positions agree
    with what editors and libcst report even in files with mixed line endings.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """Offset of a 1-based line and 1-based column."""
        line = max(1, min(line, len(self.starts)))
        return min(self.starts[line - 1] + column - 1, len(self.text))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line without its line break."""
        if line < 1 or line > len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def location(self, start: int, end: int) -> Location:
        line, col = self.position(start)
        end_line, end_col = self.position(max(end, start))
        return Location(line, col, end_line, end_col)

    @property
    def line_count(self) -> int:
        return len(self.starts)


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits; callers guarantee they do not overlap."""
    out = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[pos : edit.start])
        out.append(edit.content)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)
