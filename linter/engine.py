"""The engine's entry point: a run is the project phase, two waves of file checks, then the writes.

It knows nothing about any one rule: it only reads the declarations of dagshift.linter.rule.Rule.
The steps live in their own modules: plan.py (which rules run where), checker.py (one file),
fixes.py (which edits apply together), pool.py (many files), writer.py (the writes), diff.py.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Optional

from dagshift.linter import datacache
from dagshift.linter.cache import ResultCache, stable_hash, tool_fingerprint
from dagshift.linter.config import Settings
from dagshift.linter.context import ProjectContext
from dagshift.linter.diagnostics import Diagnostic
from dagshift.linter.diff import unified_diff
from dagshift.linter.discovery import FileEntry
from dagshift.linter.plan import Plan
from dagshift.linter.pool import run_checks
from dagshift.linter.registry import Registry
from dagshift.linter.results import CHECK, DIFF, FIX, FileResult, RunResult, engine_diagnostic
from dagshift.linter.writer import write_fixed

__all__ = ["run", "CHECK", "FIX", "DIFF", "FileResult", "RunResult", "engine_diagnostic", "unified_diff"]


def project_phase(plan: Plan, settings: Settings, files: list[FileEntry], model: Any,
                  found: Optional[dict] = None) -> ProjectContext:
    """The cross-file facts the project rules gather before any file is checked (`found`: the
    marker reads of another target's phase, shared by a report's matrix)."""
    markers = tuple(sorted({m for rule in plan.project_rules() for m in rule.project_markers}))
    project = ProjectContext(settings, files, markers, found)
    project.model = model
    for rule in plan.project_rules():
        wanted = [f for f in files if f.kind in rule.project_kinds]
        if wanted:
            rule.collect_project(project)
    return project


def run(
    files: list[FileEntry],
    registry: Registry,
    settings: Settings,
    mode: str = CHECK,
    jobs: Optional[int] = None,
    problems: Iterable[Diagnostic] = (),
    progress: Optional[Callable[..., None]] = None,
    details: bool = True,
    model: Any = None,
) -> RunResult:
    plan = Plan(registry, settings, details)
    jobs = jobs or settings.jobs or os.cpu_count() or 1
    # Before the project phase: it reads the data slices too (requirements read the DAGs' imports).
    datacache.configure(settings.cache_dir)

    from dagshift.linter.repository import environments

    model = model if model is not None else environments(settings, files)
    plan.model = model
    project = project_phase(plan, settings, files, model)

    cache = None
    if settings.cache and mode == CHECK:
        rules = sorted(f"{r.__module__}.{r.__name__}" for r in registry)  # a test registry is another tool
        # The environments decide which rules judge a file and what DS305 reads of other files.
        memberships = sorted((path, m.environment, m.role) for path, m in model.files.items())
        context = stable_hash([tool_fingerprint(), settings.fingerprint(), project.facts, rules, memberships])
        cache = ResultCache(datacache.folder(), context)
    first = [f for f in files if not plan.second_wave(f)]
    second = [f for f in files if plan.second_wave(f)]
    results = run_checks(first, plan, project.facts, {}, mode, jobs, cache, progress)
    records: dict[str, list[tuple[str, Any]]] = {}
    for result in results:
        for key, values in result.records.items():
            records.setdefault(key, []).extend((result.entry.display, v) for v in values)
    results += run_checks(second, plan, project.facts, records, mode, jobs, cache, progress)
    if progress is not None:
        progress(0, finished=True)
    results.sort(key=lambda r: r.entry.display)

    if mode == FIX:
        for result in results:
            if result.new_bytes is not None:
                write_fixed(result, registry)
    return RunResult(results, list(problems), model)
