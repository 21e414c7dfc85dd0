"""The result cache: an unchanged file under unchanged settings costs one hash and one lookup.

A key covers everything a file's findings depend on: its bytes, its kind and path, the tool and its
data, the effective settings, and the cross-file facts its rules read (plugin index, fetched
constraint files, records of other files). Entries are marshal files written atomically; a missing,
corrupt or mismatched entry is a miss, never an error or a wrong answer.
"""

from __future__ import annotations

import marshal
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from dagshift.linter import __version__
from dagshift.linter.diagnostics import Diagnostic, Edit, Fix, Location

FORMAT = 3


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The tool's version plus the size and mtime of its code and data: an edit invalidates the cache."""
    import hashlib

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{__version__}/{FORMAT}".encode())
    for package in ("linter", "rules", "fixers"):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".json", ".txt") and path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def stable_hash(value: Any) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


class ResultCache:
    def __init__(self, folder: Path, context: str) -> None:
        self.folder = folder / "results"
        self.context = context  # settings and cross-file facts, hashed once per run

    def key(self, raw: bytes, kind: str, relpath: str, display: str, records: str) -> str:
        import hashlib

        digest = hashlib.sha256(raw)
        digest.update(f"\0{kind}\0{relpath}\0{display}\0{records}\0{self.context}".encode())
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.entry"

    def get(self, key: str) -> Optional[tuple[list[Diagnostic], dict[str, list[Any]]]]:
        """(diagnostics, records) stored under `key`, or None for a missing or unusable entry."""
        try:
            with open(self._path(key), "rb") as handle:
                entry = marshal.loads(handle.read())  # load(handle) reads in many small pieces
            stored_key, records, diagnostics = entry
            if stored_key != key or not isinstance(records, dict):
                return None
            return [_load(d) for d in diagnostics], records
        except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError):
            return None  # missing, torn or foreign: a miss, checked again and rewritten

    def put(self, key: str, diagnostics: list[Diagnostic], records: dict[str, list[Any]]) -> None:
        import tempfile

        try:
            data = marshal.dumps((key, records, [_dump(d) for d in diagnostics]))
        except ValueError:
            return  # a record marshal cannot store: this file is simply not cached
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".entry.")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)  # concurrent writers: last complete entry wins
        except OSError:
            pass  # an unwritable cache only costs time


# Entries are marshal data, like .pyc files in the user's own cache folder: several times faster
# to load than JSON, which is most of what a warm run does. Diagnostics are stored as plain tuples.
def _dump(d: Diagnostic) -> tuple:
    fix = None
    if d.fix is not None:
        fix = (tuple(tuple(e) for e in d.fix.edits), d.fix.applicability, d.fix.description)
    edits = fix_diff = None
    if "edits" in d.extra:  # what annotate_fixes worked out, so a warm run need not redo it
        edits = tuple((tuple(where), content) for where, content in d.extra["edits"])
        fix_diff = tuple((tuple(before), tuple(after), first) for before, after, first in d.extra.get("fix_diff", []))
    return (d.code, d.message, d.path, d.severity, d.start, d.end, tuple(d.location), d.source_line, fix, edits,
            fix_diff)


def _load(d: tuple) -> Diagnostic:
    code, message, path, severity, start, end, loc, source_line, fix, edits, fix_diff = d
    diag = Diagnostic(code, message, path, Location(*loc), severity,
                      Fix(tuple(Edit(*e) for e in fix[0]), fix[1], fix[2]) if fix is not None else None,
                      start, end, source_line)
    if edits is not None:
        diag.extra["edits"] = [(Location(*where), content) for where, content in edits]
        diag.extra["fix_diff"] = [(list(before), list(after), first) for before, after, first in fix_diff]
    return diag
