"""`--format github`: GitHub Actions workflow commands, shown as annotations on the pull request."""

from __future__ import annotations

from dagshift.linter.reporters.context import ReportContext


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(ctx: ReportContext) -> str:
    lines = []
    for diag in ctx.run.diagnostics:
        command = "error" if diag.severity == "error" else "warning"
        loc = diag.location
        props = ",".join(
            [
                f"file={_escape_property(diag.path)}",
                f"line={loc.line}",
                f"col={loc.column}",
                f"endLine={loc.end_line}",
                f"endColumn={loc.end_column}",
                f"title={_escape_property(diag.code)}",
            ]
        )
        lines.append(f"::{command} {props}::{_escape_data(diag.code + ' ' + diag.message)}\n")
    return "".join(lines)
