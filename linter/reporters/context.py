"""What every reporter reads: the finished run, the rules, the settings, and how to show them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from dagshift.linter.config import Settings
    from dagshift.linter.registry import Registry
    from dagshift.linter.results import RunResult


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
    # SARIF runAutomationDetails.id (`--sarif-category`); None: one per target.
    sarif_category: Optional[str] = None
