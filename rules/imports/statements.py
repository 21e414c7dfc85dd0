"""A file's import statements read from its raw text, without a parse: what the pre-screens of the
import rules, DS502 and the plugin rules look at (re-exported by tables.py, which they read)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from dagshift.linter.textscan import line_matches

IMPORT_RE = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<module>[\w.]+)[ \t]+import[ \t]*(?P<names>[^\n#;]*)|import[ \t]+(?P<plain>[^\n#;]+))",
    re.M,
)


def _names(text: str) -> Optional[list[str]]:
    """Names of a one-line import list; None when the list continues on other lines."""
    text = text.strip()
    if text.startswith("(") and not text.endswith(")") or text.endswith("\\"):
        return None
    return [part.split(" as ")[0].strip(" ()") for part in text.split(",") if part.strip(" ()")]


# One import statement as the pre-screens see it: (module, names) for `from module import names`
# (names None when the list cannot be read from the text), or (None, dotted names) for `import a.b`.
Statement = tuple[Optional[str], Optional[tuple[str, ...]]]


# Import lines repeat across a repository's files: each distinct line is read once per process.
_LINES: dict[str, Statement] = {}


@lru_cache(maxsize=8)
def import_statements(text: str) -> tuple[Statement, ...]:
    """The import statements of a file, read from its lines without a parse (shared by the screens)."""
    found: list[Statement] = []
    for match in line_matches(text, "import", IMPORT_RE):
        line = match.group(0)
        statement = _LINES.get(line)
        if statement is None:
            statement, whole = _statement(text, match)
            if whole:
                if len(_LINES) > 50_000:
                    _LINES.clear()
                _LINES[line] = statement
        found.append(statement)
    return tuple(found)


def _statement(text: str, match: re.Match[str]) -> tuple[Statement, bool]:
    """The statement an import line starts, and whether the line alone says all of it."""
    module = match.group("module")
    if module is None:
        return (None, tuple(part.split(" as ")[0].strip() for part in match.group("plain").split(","))), True
    names_text = match.group("names")
    whole = True
    if names_text.strip().startswith("(") and ")" not in names_text:
        # A parenthesised list over several lines: read it up to its closing parenthesis.
        whole = False
        close = text.find(")", match.start("names"))
        if close > 0:
            body = re.sub(r"#[^\n]*", "", text[match.start("names") : close + 1])
            names_text = " ".join(body.split())
    names = _names(names_text)
    return (module, tuple(names) if names is not None else None), whole


__all__ = ["IMPORT_RE", "Statement", "import_statements"]
