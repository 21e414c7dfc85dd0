"""The report's migration plan: a readiness row per target dagshift supports (so a team can pick
its target), and for the chosen target the steps in order, each with what it fixes and who decides
what is left. Rule-blind: rows are counted from the findings' codes and fixes only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dagshift.linter.engine import RunResult
    from dagshift.linter.registry import Registry

# Who acts on what is left, by family (DS3xx requirements and DS4xx configuration are the MWAA
# environment's; the rest is in the DAG and plugin code).
OWNERS = {"1": "DAG authors", "2": "plugin owners", "3": "whoever owns requirements.txt and the MWAA environment",
          "4": "whoever owns airflow.cfg / the MWAA environment's configuration", "5": "DAG authors",
          "9": "whoever runs dagshift"}


@dataclass
class TargetRow:
    target: str
    python: str
    status: str  # MWAA's word for the version: supported, deprecated...
    files: int
    ready: int
    auto: int
    manual: int
    providers: int  # distinct providers the code needs on that target
    to_add: int  # of those, the ones requirements.txt does not list (DS305)
    chosen: bool


def target_row(run: "RunResult", target: Any, chosen: bool) -> TargetRow:
    status: Counter = Counter()
    providers: set[str] = set()
    to_add: set[str] = set()
    files = 0
    for result in run.files:
        if not result.diagnostics and _empty(result.entry.path):
            continue
        files += 1
        providers.update(result.records.get("providers", []))
        safe = sum(1 for d in result.diagnostics if d.fix is not None and d.fix.is_safe)
        status["ready" if not result.diagnostics else "auto" if safe == len(result.diagnostics) else "manual"] += 1
        to_add.update(d.message.split("`")[1] for d in result.diagnostics if d.code == "DS305" and "`" in d.message)
    files += len(run.problems)
    status["manual"] += len(run.problems)
    return TargetRow(target.airflow, target.python, target.status, files, status["ready"], status["auto"],
                     status["manual"], len(providers), len(to_add), chosen)


def _empty(path: Any) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def steps(run: "RunResult", registry: "Registry", target: str) -> list[dict[str, Any]]:
    """What to do, in order, on the chosen target: each step's command (if any), what it settles
    and what it leaves, counted from the findings."""
    safe: Counter = Counter()
    unsafe: Counter = Counter()
    manual: dict[str, Counter] = {}
    for result in run.files:
        for d in result.diagnostics:
            if d.fix is not None and d.fix.is_safe:
                safe[d.code] += 1
            elif d.fix is not None:
                unsafe[d.code] += 1
            else:
                manual.setdefault(OWNERS.get(d.code[2], "DAG authors"), Counter())[d.code] += 1
    for d in run.problems:
        manual.setdefault(OWNERS["9"], Counter())[d.code] += 1

    def named(counts: Counter) -> list[str]:
        found = []
        for code, n in sorted(counts.items()):
            rule = registry.get(code)
            found.append(f"{code} {rule.name} ({n})" if rule else f"{code} ({n})")
        return found

    plan: list[dict[str, Any]] = []
    if safe:
        plan.append({"title": "Apply the safe fixes", "command": f"dagshift check --target-version {target} --fix",
                     "detail": f"{sum(safe.values())} findings fixed mechanically", "items": named(safe)})
    if unsafe:
        plan.append({"title": "Review the unsafe fixes, then apply them",
                     "command": f"dagshift check --target-version {target} --fix --unsafe-fixes --diff",
                     "detail": f"{sum(unsafe.values())} fixes that change behaviour or may hide a mistake: "
                               "read the diff, drop `--diff` to write it", "items": named(unsafe)})
    for owner, counts in sorted(manual.items()):
        plan.append({"title": f"Left for {owner}", "command": "",
                     "detail": f"{sum(counts.values())} findings with no mechanical fix: each message says what to "
                               "decide", "items": named(counts)})
    plan.append({"title": "Check again until nothing is left",
                 "command": f"dagshift check --target-version {target}", "detail": "exit 0 means ready", "items": []})
    return plan
