"""Output formats. Each reporter turns a finished run into text; the CLI decides where it goes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # the CLI reads FORMATS at start-up: the dataclass module comes with a check only
    from dagshift.linter.reporters.context import ReportContext

__all__ = ["FORMATS", "render", "pieces"]

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab")


def pieces(fmt: str, ctx: "ReportContext") -> Iterable[str]:
    """The report as consecutive pieces of text, for the CLI to write as they come: a JSON report
    of many findings is never held whole in memory (json.dumps with an indent builds it from
    millions of small strings)."""
    if fmt == "json" and not ctx.statistics:
        from dagshift.linter.reporters.json_report import json_pieces

        return json_pieces(ctx)
    if fmt == "sarif":
        from dagshift.linter.reporters.sarif import sarif_pieces

        return sarif_pieces(ctx)
    return (render(fmt, ctx),)


def render(fmt: str, ctx: "ReportContext") -> str:
    if fmt == "text":
        from dagshift.linter.reporters.text import render_text

        return render_text(ctx, full=True)
    if fmt == "concise":
        from dagshift.linter.reporters.text import render_text

        return render_text(ctx, full=False)
    if fmt == "json":
        from dagshift.linter.reporters.json_report import render_json

        return render_json(ctx)
    if fmt == "sarif":
        from dagshift.linter.reporters.sarif import render_sarif

        return render_sarif(ctx)
    if fmt == "gitlab":
        from dagshift.linter.reporters.gitlab import render_gitlab

        return render_gitlab(ctx)
    if fmt == "github":
        from dagshift.linter.reporters.github import render_github

        return render_github(ctx)
    raise ValueError(fmt)
