"""`# noqa` suppression comments, in every file kind's own comment syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

# '#' for Python, requirements, INI, YAML, env, Dockerfile, shell; ';' for INI; '//' for Terraform.
NOQA_RE = re.compile(
    r"(?:#|;|//)\s*noqa(?P<sep>\s*:\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*))?",
    re.IGNORECASE,
)
CODE_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Noqa:
    """A noqa comment: codes=None silences every code on its line."""

    line: int
    codes: Optional[tuple[str, ...]]
    column: int  # 1-based column where the comment starts
    end_column: int

    def silences(self, code: str) -> bool:
        return self.codes is None or code in self.codes


def parse_line(line_no: int, text: str) -> Optional[Noqa]:
    match = NOQA_RE.search(text)
    if not match:
        return None
    codes = match.group("codes")
    parsed = tuple(c.upper() for c in CODE_SPLIT.split(codes.strip())) if codes else None
    return Noqa(line=line_no, codes=parsed, column=match.start() + 1, end_column=match.end() + 1)


def collect(lines: list[str]) -> dict[int, Noqa]:
    """Every noqa comment of a file, keyed by 1-based line."""
    found = {}
    for number, text in enumerate(lines, start=1):
        if "noqa" in text.lower():
            parsed = parse_line(number, text)
            if parsed is not None:
                found[number] = parsed
    return found
