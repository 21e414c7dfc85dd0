"""DS301's severity on a target: the analysis asks for each finding, `Rule.severities` for every case
the target has (`dagshift rules --target-version`), so the two cannot disagree. No packaging here:
listing rules stays cheap."""

from __future__ import annotations

from dagshift.linter.diagnostics import ERROR, WARNING, ordered
from dagshift.linter.targets import version_tuple

# From this version MWAA adds the target's constraints itself to a requirements file that names none.
MWAA_ADDS_CONSTRAINTS = "2.7.2"
# A constraint line MWAA's installer does not see: it adds its own as well (pip gets both).
UNSEEN_CONSTRAINT = WARNING


def mwaa_adds_constraints(target: str, on_mwaa: bool) -> bool:
    return on_mwaa and version_tuple(target) >= version_tuple(MWAA_ADDS_CONSTRAINTS)


def missing_constraint(target: str, on_mwaa: bool) -> str:
    """No constraint line: pip may install anything (error), unless MWAA adds its own (warning)."""
    return WARNING if mwaa_adds_constraints(target, on_mwaa) else ERROR


def on_target(target: str) -> tuple[str, ...]:
    """Every severity DS301 can have on the target: in an MWAA environment's file, or in another
    platform's image (whose pip adds nothing)."""
    found = {missing_constraint(target, mwaa) for mwaa in (True, False)}
    if mwaa_adds_constraints(target, True):
        found.add(UNSEEN_CONSTRAINT)
    return ordered(found)
