"""`--format json`: one object per finding, the shape documented in the README."""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from dagshift.linter import RULES_DOC_URL
from dagshift.linter.diagnostics import Diagnostic
from dagshift.linter.reporters.context import ReportContext
from dagshift.linter.ruledocs import rule_url


def fix_object(diag: Diagnostic) -> Any:
    if diag.fix is None:
        return None
    return {
        "applicability": diag.fix.applicability,
        "message": diag.fix.description or None,
        "edits": [
            {
                "content": content,
                "location": {"line": loc.line, "column": loc.column},
                "end_location": {"line": loc.end_line, "column": loc.end_column},
            }
            for loc, content in diag.extra.get("edits", [])
        ],
    }


def diagnostic_object(diag: Diagnostic, ctx: ReportContext) -> dict[str, Any]:
    rule = ctx.registry.get(diag.code)
    return {
        "code": diag.code,
        "name": rule.name if rule else None,
        "message": diag.message,
        "path": diag.path,
        "line": diag.location.line,
        "column": diag.location.column,
        "end_line": diag.location.end_line,
        "end_column": diag.location.end_column,
        "severity": diag.severity,
        "fixable": diag.fix is not None,
        "fix": fix_object(diag),
        "url": _url(diag.code, ctx),
    }


def render_json(ctx: ReportContext) -> str:
    if ctx.statistics:
        from dagshift.linter.reporters.text import statistics_rows

        return json.dumps(statistics_rows(ctx.run.diagnostics, ctx), indent=2) + "\n"
    return "".join(json_pieces(ctx))


def json_pieces(ctx: ReportContext) -> Iterator[str]:
    """The same text as json.dumps(list, indent=2) + newline, one finding at a time."""
    yield from array_pieces(diagnostic_object(d, ctx) for d in ctx.run.diagnostics)
    yield "\n"


def array_pieces(items: Iterable[Any], outer: str = "", ensure_ascii: bool = True) -> Iterator[str]:
    """The text json.dumps(..., indent=2) gives a list of `items` that starts on a line indented by
    `outer`, one item at a time (JSON and SARIF reports are written this way, never held whole)."""
    inner = outer + "  "
    first = True
    for item in items:
        body = json.dumps(item, indent=2, ensure_ascii=ensure_ascii).replace("\n", "\n" + inner)
        yield ("[\n" if first else ",\n") + inner + body
        first = False
    yield "[]" if first else "\n" + outer + "]"


def _url(code: str, ctx: ReportContext) -> str:
    rule = ctx.registry.get(code)
    return rule_url(rule.code, rule.name) if rule is not None else RULES_DOC_URL
