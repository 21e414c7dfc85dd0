"""Output formats. Each reporter turns a finished run into text; the CLI decides where it goes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dagshift.linter.config import Settings
    from dagshift.linter.engine import RunResult
    from dagshift.linter.registry import Registry

FORMATS = ("text", "concise", "json", "sarif", "github")


@dataclass
class ReportContext:
    run: "RunResult"
    registry: "Registry"
    settings: "Settings"
    mode: str
    color: bool = False
    show_fixes: bool = True
    statistics: bool = False
    quiet: bool = False


def render(fmt: str, ctx: ReportContext) -> str:
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
    if fmt == "github":
        from dagshift.linter.reporters.github import render_github

        return render_github(ctx)
    raise ValueError(fmt)
