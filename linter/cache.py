"""The result cache: an unchanged file under unchanged settings costs one hash and one lookup.

A key covers everything a file's findings depend on: its bytes, its kind and path, the tool and its
data, the effective settings, and the cross-file facts its rules read (plugin index, fetched
constraint files, records of other files). Entries are JSON files written atomically; a missing,
corrupt or mismatched entry is a miss, never an error or a wrong answer.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from linter import __version__
from linter.diagnostics import Diagnostic, Edit, Fix, Location

FORMAT = 2


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

    def get(self, key: str) -> Optional[dict]:
        import json

        path = self.folder / key[:2] / f"{key}.json"
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        return entry

    def put(self, key: str, diagnostics: list[Diagnostic], records: dict[str, list[Any]]) -> None:
        import json
        import tempfile

        entry = {"key": key, "diagnostics": [_dump(d) for d in diagnostics], "records": records}
        folder = self.folder / key[:2]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".entry.")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(entry, handle)
            os.replace(tmp, folder / f"{key}.json")  # concurrent writers: last complete entry wins
        except (OSError, TypeError, ValueError):
            pass  # an unwritable cache only costs time


def _dump(d: Diagnostic) -> dict:
    fix = None
    if d.fix is not None:
        fix = {"edits": [[e.start, e.end, e.content] for e in d.fix.edits], "applicability": d.fix.applicability,
               "description": d.fix.description}
    loc = d.location
    dumped = {"code": d.code, "message": d.message, "path": d.path, "severity": d.severity, "start": d.start,
              "end": d.end, "loc": list(loc), "fix": fix, "source_line": d.source_line}
    if "edits" in d.extra:  # what annotate_fixes worked out, so a warm run need not redo it
        dumped["edits"] = [[list(where), content] for where, content in d.extra["edits"]]
        dumped["fix_diff"] = d.extra.get("fix_diff", [])
    return dumped


def load_diagnostics(entry: dict) -> Optional[list[Diagnostic]]:
    try:
        out = []
        for d in entry["diagnostics"]:
            fix = None
            if d["fix"] is not None:
                fix = Fix(tuple(Edit(*e) for e in d["fix"]["edits"]), d["fix"]["applicability"], d["fix"]["description"])
            diag = Diagnostic(code=d["code"], message=d["message"], path=d["path"], location=Location(*d["loc"]),
                              severity=d["severity"], fix=fix, start=d["start"], end=d["end"],
                              source_line=d["source_line"])
            if "edits" in d:
                diag.extra["edits"] = [(Location(*where), content) for where, content in d["edits"]]
                diag.extra["fix_diff"] = [(before, after, first) for before, after, first in d["fix_diff"]]
            out.append(diag)
        return out
    except (KeyError, TypeError, ValueError):
        return None
