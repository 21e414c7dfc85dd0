"""Which import rewrites real Airflow proved: a fix is safe only when its destination denotes what
the old path did.

"Exists on the target" is not that proof: the closed world finds a class by its name, and two
classes can share one (`airflow.datasets.Dataset`, Airflow's dataset, and
`airflow.providers.common.compat.openlineage.facet.Dataset`, an OpenLineage facet).
scripts/verify_identity.py enumerates every rewrite these rules offer for each target, imports
both spellings in real Airflow virtualenvs (never the user's code) and records, per target, each
rewrite as proven (the same object; a deprecated subclass that only warns; the old class defined
there; or the deprecation warning of Airflow's own shim naming it), disproven (another object),
or not decidable. The table is data/rewrite_proofs.json.

A proven rewrite keeps its fix's safety; an undecidable one (or a target the script has not run
for) is offered as an unsafe fix; a disproven one is no fix at all, and the finding says why.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Optional

from dagshift.linter.findings import Finding
from dagshift.linter.tables import load_table, table_path

PROVEN, DISPROVEN = "proven", "disproven"


@lru_cache(maxsize=16)
def proofs(target: str) -> dict[str, list[str]]:
    """old path -> [new path, verdict, why] for the target (empty: never verified); one target's
    slice, from the data-slice cache (the table holds every target's thousands of rewrites)."""
    from dagshift.linter.datacache import load

    def build() -> dict[str, list[str]]:
        targets: dict[str, Any] = load_table("rewrite_proofs", "targets")["targets"]
        return targets.get(target, {})

    return load(f"rewrite-proofs-{target}", (str(table_path("rewrite_proofs")), __file__), build)


def verdict(target: str, old: str, new: str) -> Optional[tuple[str, str]]:
    """(verdict, why) real Airflow gave the rewrite `old` -> `new` on the target, if it was checked."""
    record = proofs(target).get(old)
    if record is None or record[0] != new:
        return None
    return record[1], record[2]


def checked(t: Any, finding: Optional[Finding]) -> Optional[Finding]:
    """The finding with its Move marked proven, or with a disproven destination taken away."""
    if finding is None or finding.detail is None or finding.detail.new is None:
        return finding
    move = finding.detail
    if internal(move.new) and not internal(move.old):
        return _withheld(finding, f"Airflow {t.target} serves it from `{move.new}`, a module it keeps for itself, "
                                  "and its public interface has no such name: use the public class that does what "
                                  "you need")
    found = verdict(t.target, move.old, move.new)
    if found is None:
        return finding
    status, why = found
    if status == PROVEN:
        move.proven = True
    elif status == DISPROVEN:
        return _withheld(finding, f"`{move.new}` has the same name but is not the same thing ({why}); import what "
                                  "you mean from where it is defined on the target")
    return finding


def _withheld(finding: Finding, reason: str) -> Finding:
    """The finding without its destination, saying why (a rename without one is a plain removal
    or deprecation)."""
    move = finding.detail
    move.reason, move.new = reason, None
    if finding.code == "DS103":
        finding.code = "DS101" if move.removed else "DS102"
    return finding


def internal(path: str) -> bool:
    """A path Airflow keeps for itself: the task SDK's `definitions` / `execution_time` packages,
    or a private segment. Fixes write public homes only (`airflow.sdk.Asset`)."""
    parts = path.split(".")
    return (parts[:3] in (["airflow", "sdk", "definitions"], ["airflow", "sdk", "execution_time"])
            or any(p.startswith("_") for p in parts))
