"""`--diff`: what a fix run would change, as a unified diff."""

from __future__ import annotations

from dagshift.linter.results import FileResult


def unified_diff(result: FileResult) -> str:
    old = result.original_text.splitlines(keepends=True)
    new = result.new_text.splitlines(keepends=True)
    import difflib

    lines = difflib.unified_diff(old, new, fromfile=f"a/{result.entry.display}", tofile=f"b/{result.entry.display}")
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)
