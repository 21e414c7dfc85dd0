"""Golden files for the tests that compare a whole run with what it printed and wrote last time.

`DAGSHIFT_UPDATE_GOLDEN=1 pytest ...` rewrites them from the run instead of comparing (review the
diff before committing it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

UPDATE = os.environ.get("DAGSHIFT_UPDATE_GOLDEN") == "1"


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (a checkout's `.git` left out) by its relative path, as bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts[:1]}


def golden(expected: Path, name: str, actual: str) -> str:
    """The golden text `expected/name` (written from `actual` first when updating)."""
    path = expected / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    return path.read_text(encoding="utf-8")


def golden_tree(expected: Path, name: str, root: Path) -> dict[str, bytes]:
    """The golden file tree `expected/name` (copied from `root` first when updating)."""
    path = expected / name
    if UPDATE:
        shutil.rmtree(path, ignore_errors=True)
        shutil.copytree(root, path, ignore=shutil.ignore_patterns(".git"))
    return tree(path)
