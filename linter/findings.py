"""What a family's analysis pass hands to its rules: one Finding type for every family.

A family analyses a file once (however many of its rules are enabled) and returns findings
tagged with the code of the rule that reports each; every rule of the family then reports its
own with `report_own`. A finding points at a CST node (Python) or at a character span (every
other file kind).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, TypeVar, Union

from dagshift.linter.diagnostics import Fix

T = TypeVar("T")


@dataclass(eq=False)
class Finding:
    code: str
    at: Union[Any, tuple[int, int]]  # a libcst node, or (start, end) offsets in the text
    message: str
    severity: Optional[str] = None
    fix: Optional[Fix] = None
    # What the family's fix planning needs to know of the finding (an import's move, say).
    detail: Any = None

    @classmethod
    def at_span(
        cls, code: str, start: int, end: int, message: str, severity: Optional[str] = None, fix: Optional[Fix] = None
    ) -> "Finding":
        return cls(code, (start, end), message, severity, fix)


def once_per_file(ctx: Any, key: str, compute: Callable[[Any], T]) -> T:
    """Run a family's analysis once per file, however many of its rules ask for it."""
    cached = ctx.shared.get(key)
    if cached is None:
        cached = ctx.shared[key] = compute(ctx)
    return cached


def report_own(ctx: Any, findings: Iterable[Finding]) -> None:
    """Report the findings of a family's analysis that belong to the rule `ctx` is bound to."""
    for finding in findings:
        if finding.code != ctx.rule.code:
            continue
        if isinstance(finding.at, tuple):
            ctx.report(*finding.at, finding.message, fix=finding.fix, severity=finding.severity)
        else:
            ctx.report_node(finding.at, finding.message, fix=finding.fix, severity=finding.severity)
