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


def target_row(data: dict[str, Any], target: Any, chosen: bool) -> TargetRow:
    """The row of a target from its run's report model (report.model: the same counts the summary
    cards show), plus how many of the needed providers requirements.txt lacks (DS305, one finding
    per distribution, whose message names it first)."""
    to_add = {f["message"].split("`")[1] for row in data["rows"] for f in row.findings
              if f["code"] == "DS305" and "`" in f["message"]}
    return TargetRow(target.airflow, target.python, target.status, data["files"], data["ready"], data["auto"],
                     data["manual"], len(data["providers"]), len(to_add), chosen)


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
