"""INI edits that move options between sections (airflow.cfg), everything else left byte-identical."""

from __future__ import annotations

import re
from typing import Optional

from dagshift.linter.diagnostics import SAFE, Edit, Fix

HEADER_RE = re.compile(r"^[ \t]*\[([^\]]+)\][ \t]*$")


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line with its line break) for every line of the text."""
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, line))
        pos += len(line)
    return out


def option_block(text: str, key_start: int) -> tuple[int, int]:
    """The lines that belong to the option whose key starts at `key_start`: the comment lines right
    above it, the option line, and its indented continuation lines."""
    lines = _lines(text)
    index = max(i for i, (at, _) in enumerate(lines) if at <= key_start)
    first = index
    while first > 0 and lines[first - 1][1].lstrip().startswith(("#", ";")) and lines[first - 1][1].strip():
        first -= 1
    last = index
    while last + 1 < len(lines) and lines[last + 1][1][:1] in (" ", "\t") and lines[last + 1][1].strip():
        last += 1
    end = lines[last][0] + len(lines[last][1])
    return lines[first][0], end


def section_insert_point(text: str, section: str) -> Optional[int]:
    """Where a moved option goes in [section]: after the section's last non-blank line (None when
    the file has no such section)."""
    lines = _lines(text)
    current, point = None, None
    for at, line in lines:
        header = HEADER_RE.match(line.rstrip("\r\n"))
        if header:
            if current == section and point is not None:
                return point
            current = header.group(1).strip().lower()
            point = at + len(line) if current == section else None
        elif current == section and line.strip():
            point = at + len(line)
    return point if current == section else None


def move_options(text: str, blocks: list[tuple[int, int, str]], section: str, newline: str) -> Fix:
    """One fix moving every block (start, end, text to write) into [section], in order: the blocks
    are deleted where they are and written together at the end of the section, or in a new section
    appended at the end of the file."""
    edits = [Edit(start, end, "") for start, end, _ in blocks]
    moved = "".join(content if content.endswith(("\n", "\r")) else content + newline for _, _, content in blocks)
    at = section_insert_point(text, section)
    if at is not None and not any(start <= at < end for start, end, _ in blocks):
        if at > 0 and not text[:at].endswith(("\n", "\r")):
            moved = newline + moved
        edits.append(Edit(at, at, moved))
    else:
        lead = "" if not text or text.endswith(("\n", "\r")) else newline
        edits.append(Edit(len(text), len(text), f"{lead}{newline}[{section}]{newline}{moved}"))
    return Fix(tuple(sorted(edits, key=lambda e: (e.start, e.end))), SAFE, f"move to the [{section}] section")
