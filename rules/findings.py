"""What a rule family's shared analysis hands to its rules: findings at character spans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, TypeVar

from linter.diagnostics import Fix

T = TypeVar("T")


@dataclass
class SpanFinding:
    """A finding at text[start:end], for the rule `code` of a family to report."""

    code: str
    start: int
    end: int
    message: str
    severity: Optional[str] = None
    fix: Optional[Fix] = None


def once_per_file(ctx: Any, key: str, compute: Callable[[Any], T]) -> T:
    """Run a family's analysis once per file, however many of its rules ask for it."""
    cached = ctx.shared.get(key)
    if cached is None:
        cached = ctx.shared[key] = compute(ctx)
    return cached


def report_own(ctx: Any, findings: Iterable[SpanFinding]) -> None:
    """Report the findings of a family's analysis that belong to the rule `ctx` is bound to."""
    for finding in findings:
        if finding.code == ctx.rule.code:
            ctx.report(finding.start, finding.end, finding.message, fix=finding.fix, severity=finding.severity)
