"""Choosing which fixes of a file apply together, and showing what each one changes."""

from __future__ import annotations

from typing import Optional

from dagshift.linter.diagnostics import Diagnostic, Edit, Fix, LineIndex, apply_edits

MAX_FIX_ROUNDS = 10


def annotate_fixes(diagnostics: list[Diagnostic], text: str) -> None:
    """Give each fix its edit positions, and before/after views of the lines it touches, hunk by hunk."""
    index: Optional[LineIndex] = None
    for diag in diagnostics:
        if diag.fix is None:
            continue
        index = index or LineIndex(text)
        edits = sorted(diag.fix.edits, key=lambda e: (e.start, e.end))
        diag.extra["edits"] = [(index.location(e.start, e.end), e.content) for e in edits]
        # Lines each edit touches, merged where they meet: a rename far below its import is its own hunk.
        hunks: list[list] = []
        for edit in edits:
            first = index.position(edit.start)[0]
            last = index.position(max(edit.end - 1, edit.start))[0] if edit.end > edit.start else first
            if hunks and first <= hunks[-1][1] + 1:
                hunks[-1][1] = max(hunks[-1][1], last)
                hunks[-1][2].append(edit)
            else:
                hunks.append([first, last, [edit]])
        views = []
        for first, last, group in hunks:
            start = index.offset(first, 1)
            end = index.offset(last + 1, 1) if last < index.line_count else len(text)
            end = max(end, max(e.end for e in group))
            before = text[start:end]
            shifted = [Edit(e.start - start, e.end - start, e.content) for e in group]
            views.append((before.splitlines(), apply_edits(before, shifted).splitlines(), first))
        diag.extra["fix_diff"] = views


def choose_edits(fixable: list[Diagnostic]) -> tuple[list[Edit], list[Diagnostic]]:
    """Take whole fixes in source order, skipping any that overlap one already taken."""
    taken: list[Edit] = []
    applied: list[Diagnostic] = []
    seen: set[tuple] = set()
    for diag in sorted(fixable, key=lambda d: (min(e.start for e in d.fix.edits), d.code)):  # type: ignore[union-attr]
        fix: Fix = diag.fix  # type: ignore[assignment]
        edits = sorted(fix.edits, key=lambda e: (e.start, e.end))
        if any(_overlaps(a, b) for a, b in zip(edits, edits[1:])):
            continue  # a fix at odds with itself is never applied
        key = tuple(fix.edits)
        if key in seen:
            # Two findings sharing one fix (for instance two names of one import statement).
            applied.append(diag)
            continue
        if any(_overlaps(e, t) for e in fix.edits for t in taken):
            continue
        taken.extend(fix.edits)
        seen.add(key)
        applied.append(diag)
    return taken, applied


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at one point: order would be ambiguous
    return a.start < b.end and b.start < a.end
