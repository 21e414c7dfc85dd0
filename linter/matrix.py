"""A report's readiness matrix: the same files checked on several targets, sharing what does not
depend on the target. Discovery, the environments, each file's read, CPython's syntax check, the
libcst parse and what depends on the module alone (its import table, name uses, positions) happen
once per file; each target pays only its project phase, screens and rules. Files are checked file
by file on every target, in a process pool when there are many."""

from __future__ import annotations

import dataclasses
from typing import Any

from dagshift.linter.checker import FileChecker
from dagshift.linter.config import Settings
from dagshift.linter.diagnostics import Diagnostic
from dagshift.linter.discovery import FileEntry
from dagshift.linter.engine import project_phase
from dagshift.linter.plan import Plan
from dagshift.linter.registry import Registry
from dagshift.linter.results import CHECK, FileResult, RunResult
from dagshift.linter.shared_file import SharedFile

PARALLEL_THRESHOLD = 48  # files: below this a process pool costs more than it saves


_worker: dict[str, Any] = {}


def _init(checkers: list[FileChecker]) -> None:
    shared = SharedFile()
    for checker in checkers:
        checker.shared = shared
    _worker["checkers"], _worker["shared"] = checkers, shared


def _check_chunk(chunk: list[FileEntry]) -> list[list[FileResult]]:
    """Each file of the chunk on every target: [file][target]."""
    checkers: list[FileChecker] = _worker["checkers"]
    shared: SharedFile = _worker["shared"]
    done: list[list[FileResult]] = []
    for entry in chunk:
        shared.start(entry)
        row = [checker.check(entry, CHECK) for checker in checkers]
        done.append([r for r in row if r is not None])  # (check mode always answers)
    return done


def run_matrix(files: list[FileEntry], registry: Registry, targets: list[Settings], model: Any,
               problems: list[Diagnostic], jobs: int = 1) -> list[RunResult]:
    """One RunResult per settings in `targets`, as engine.run would give each (check mode, no cache)."""
    found: dict = {}
    plans, checkers = [], []
    for settings in targets:
        plan = Plan(registry, settings, details=False)
        plan.model = model
        facts = project_phase(plan, settings, files, model, found).facts
        plans.append(plan)
        checkers.append(FileChecker(plan, facts, {}, None))
    # A file whose rules read other files' records (requirements: DS305) goes second, on every target.
    first = [f for f in files if not any(plan.second_wave(f) for plan in plans)]
    later = [f for f in files if any(plan.second_wave(f) for plan in plans)]
    per_file = _first_wave(first, checkers, jobs)
    results: list[list[FileResult]] = [[row[i] for row in per_file] for i in range(len(targets))]
    runs = []
    for i, (plan, checker) in enumerate(zip(plans, checkers)):
        records: dict[str, list[tuple[str, Any]]] = {}
        for result in results[i]:
            for key, values in result.records.items():
                records.setdefault(key, []).extend((result.entry.display, v) for v in values)
        late = FileChecker(plan, checker.facts, records, None, SharedFile())
        for entry in later:
            late.shared.start(entry)  # type: ignore[union-attr]
            results[i].append(late.check(entry, CHECK))  # type: ignore[arg-type]
        results[i].sort(key=lambda r: r.entry.display)
        runs.append(RunResult(results[i], list(problems), model))
    return runs


def _first_wave(files: list[FileEntry], checkers: list[FileChecker], jobs: int) -> list[list[FileResult]]:
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        _init(checkers)
        return _check_chunk(files)
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    size = max(1, min(32, len(files) // (jobs * 4)))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(checkers,)) as pool:
            return [row for part in pool.map(_check_chunk, chunks) for row in part]
    except (BrokenProcessPool, OSError):
        _init(checkers)
        return _check_chunk(files)


def target_settings(settings: Settings, airflow: str, python: str, platform: str = "") -> Settings:
    # Another target is an MWAA environment's unless it names a platform (a declared environment on
    # MWAA Serverless): the chosen target's platform rules do not carry over.
    return dataclasses.replace(settings, target_version=airflow, python_version=python, target_is_default=False,
                               platform=platform)
