"""Output formats. Each reporter turns a finished run into text; the CLI decides where it goes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads FORMATS at start-up: the dataclass module comes with a check only
    from dagshift.linter.reporters.context import ReportContext

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab")


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
