"""What checking a file, and a whole run, produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

from dagshift.linter.codes import FAILURE_CODES
from dagshift.linter.diagnostics import ERROR, Diagnostic, Location
from dagshift.linter.discovery import FileEntry
from dagshift.linter.registry import Registry

CHECK, FIX, DIFF = "check", "fix", "diff"


@dataclass
class FileResult:
    entry: FileEntry
    diagnostics: list[Diagnostic]
    fixed: int = 0  # findings removed by applied fixes
    new_bytes: Optional[bytes] = None  # set when fixes changed the file
    original_text: str = ""
    new_text: str = ""
    records: dict[str, list[Any]] = field(default_factory=dict)
    # Diagnostics of the file as it is on disk, reported instead when a fix cannot be written.
    before_fix: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.code in FAILURE_CODES for d in self.diagnostics)


@dataclass
class RunResult:
    files: list[FileResult]
    problems: list[Diagnostic]  # paths that do not exist, and the like
    model: Any = None  # the repository's environments (dagshift.environments.Model)

    @cached_property
    def diagnostics(self) -> list[Diagnostic]:
        """Every finding in report order (computed once: reporters ask more than once)."""
        found = [d for r in self.files for d in r.diagnostics] + self.problems
        return sorted(found, key=Diagnostic.sort_key)

    @property
    def fixed(self) -> int:
        return sum(r.fixed for r in self.files)

    @property
    def failed(self) -> bool:
        return bool(self.problems) or any(r.failed for r in self.files)


def engine_diagnostic(
    registry: Registry, code: str, path: str, detail: str, line: int = 1, column: int = 1, source_line: str = ""
) -> Diagnostic:
    rule = registry.get(code)
    message = rule.message.format(detail=detail) if rule is not None else detail
    return Diagnostic(
        code=code,
        message=message,
        path=path,
        location=Location(line, column, line, column),
        severity=rule.severity if rule is not None else ERROR,
        source_line=source_line,
    )
