"""Output formats. Each reporter turns a finished run into text; the CLI decides where it goes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.config import Settings
    from linter.engine import RunResult
    from rules import Registry

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
        from linter.reporters.text import render_text

        return render_text(ctx, full=True)
    if fmt == "concise":
        from linter.reporters.text import render_text

        return render_text(ctx, full=False)
    if fmt == "json":
        from linter.reporters.json_report import render_json

        return render_json(ctx)
    if fmt == "sarif":
        from linter.reporters.sarif import render_sarif

        return render_sarif(ctx)
    if fmt == "github":
        from linter.reporters.github import render_github

        return render_github(ctx)
    raise ValueError(fmt)
