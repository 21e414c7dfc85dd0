"""What an import finding says, for the imports the move tables do not settle alone: the
target's closed world (core wheel and pinned providers), provider renames and deprecation texts
read from the providers' own code, and the 1.10 move entries.

rules/imports/analysis.py decides which imports to judge and builds the fixes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import libcst as cst

from dagshift.linter.diagnostics import ERROR, WARNING
from dagshift.linter.findings import Finding
from dagshift.linter.imports import ImportedName
from dagshift.linter.targets import version_tuple as version_key
from dagshift.rules.imports.tables import (
    TargetTables,
    closed_world,
    guessed_dist,
    provider_dist,
)
from dagshift.rules.imports.tables.successors import by_path_or_name, provider_class_successor, renamed, shim_lead


@dataclass
class Move:
    """What an import finding says: the old path, where it went (None: nowhere) and in which dist."""

    old: str
    new: Optional[str]
    dist: Optional[str]
    removed: bool
    reason: str = ""
    # Whether real Airflow showed `new` denotes what `old` did (rules/imports/proofs.py): a fix to
    # an unproven destination is offered as unsafe only.
    proven: bool = False
    # A 1.10 module imported as a name: what becomes of the names its uses reach (`m.Old` -> `m.New`).
    uses: str = ""


def import_finding(code: str, node: cst.CSTNode, move: Move) -> Finding:
    return Finding(code, node, "", ERROR if move.removed else WARNING, detail=move)


def closed_world_finding(t: TargetTables, imported: ImportedName, verdict: str) -> Finding:
    """An import no move table knows, judged by the target's closed world (every module and name
    the core wheel and the pinned providers bind): DS101 when it fails, DS102 when it warns."""
    module, name = imported.module, imported.name
    path = imported.qualified
    homes = t.homes(name) if name else []
    new, dist = (f"{homes[0][0]}.{name}", homes[0][1]) if len(homes) == 1 else (None, None)
    lead = shim_lead(t, module, name) if verdict != "warns" and name else None
    if lead is not None:
        # Airflow's own shim on another version said where the name went (`airflow.datasets.Dataset`
        # -> `airflow.sdk.Asset` on 3.0.6, gone on 3.2): that, not a class elsewhere sharing the name.
        return import_finding("DS103" if lead.rpartition(".")[2] != name else "DS101", imported.alias.name,
                              Move(path, lead, t.dist_of(lead), True))
    if verdict == "warns":
        world = t.world_of(module)
        shim = world.shim_target(module, name) if world is not None and name else None
        if shim is not None and closed_world(t, *shim.rsplit(".", 1)) is None:
            new, dist = shim, t.dist_of(shim)
        reason = (f"`{module}` is a deprecated shim (it warns at import)" if world is None or module in world.warns
                  else f"`{module}` serves `{name}` only with a deprecation warning")
        code = "DS103" if new is not None and new.rpartition(".")[2] != name else "DS102"
        return import_finding(code, imported.alias.name, Move(path, new, dist, False, reason=reason))
    where = t.dist_of(module)
    missing = f"there is no module `{module}`" if verdict == "module" else f"`{module}` has no `{name}`"
    if where:
        missing = f"{where} {t.pins[where]}: " + missing
    elif new is None:
        elsewhere = _other_targets(t.target, module, name)
        if elsewhere:
            return import_finding("DS101", imported.alias.name, Move(path, None, None, True, reason=(
                f"{missing} ({elsewhere}): the code was written for another Airflow version; rewrite it for "
                f"Airflow {t.target}, or target one that has it")))
    if new is None:
        missing += (f"; nothing Airflow {t.target} or the providers it pins defines `{name}`: import it from where "
                    "your installed packages define it, or copy what you need into your own code") if name else (
            "; import what you use from the modules that define it on the target")
    return import_finding("DS104" if where else "DS101", imported.alias.name, Move(path, new, dist, True, reason=missing))


def _other_targets(target: str, module: str, name: Optional[str]) -> str:
    """"MWAA's Airflow has it from 2.4.3" / "MWAA's Airflow had it up to 2.5.1": code written
    for another Airflow version than the target is the usual cause of a core import that fails."""
    from dagshift.rules.imports.tables import core_has

    newer = [v for v in core_has(module, name) if version_key(v) > version_key(target)]
    older = [v for v in core_has(module, name) if version_key(v) < version_key(target)]
    if newer:
        return f"MWAA's Airflow has it from {min(newer, key=version_key)}"
    if older:
        return f"MWAA's Airflow had it up to {max(older, key=version_key)}"
    return ""


def moved_finding(t: TargetTables, node: cst.CSTNode, old: str, entry: dict) -> Finding:
    new = entry.get("to")
    removed = entry["status"] == "removed"
    if new is None and entry.get("last_to"):
        return _after_the_last_lead(t, node, old, entry["last_to"])
    renamed = new is not None and new.rpartition(".")[2] != old.rpartition(".")[2]
    code = "DS103" if renamed else ("DS101" if removed else "DS102")
    return import_finding(code, node, Move(old, new, entry.get("dist"), removed, reason=entry.get("hint", "")))


def _after_the_last_lead(t: TargetTables, node: cst.CSTNode, old: str, lead: str) -> Finding:
    """A 1.10 path removed with no destination on the target, whose shim on another target led to
    `lead` (a provider path): follow the provider's rename, or say what became of it."""
    module, _, name = lead.rpartition(".")
    if not module.startswith("airflow.providers."):  # an Airflow 2 core path the target dropped too
        when = _other_targets(t.target, module, name)
        reason = f"Airflow 2 moved it to `{lead}`, which Airflow {t.target} no longer has" + (f" ({when})" if when else "")
        return import_finding("DS101", node, Move(old, None, None, True, reason=reason))
    dist = provider_dist(module, t.pins) or guessed_dist(module)
    if dist not in t.pins:
        reason = (f"it became `{lead}` in {dist}, which Airflow {t.target}'s constraint file does not pin: add it "
                  "to requirements.txt at a version that supports the target, or replace the operator")
        return import_finding("DS101", node, Move(old, None, None, True, reason=reason))
    new = renamed(t, dist, lead)
    if new is not None:
        return import_finding("DS103", node, Move(old, new, dist, True))
    said = by_path_or_name(t.hints.get(dist, {}), lead)
    reason = f"it became `{lead}`, which {dist} {t.pins[dist]} no longer has"
    if said:
        reason += f"; {dist} deprecated it, saying: \"{said}\""
    return import_finding("DS101", node, Move(old, None, None, True, reason=reason))


def provider_finding(ctx: Any, t: TargetTables, imported: ImportedName) -> Finding:
    module, name = imported.module, imported.name or ""
    dist = t.dist_of(module)
    index = t.provider_index(dist) if dist else None
    assert index is not None and dist is not None
    needed = index.requires.get(module)
    if needed and version_key(t.target) < version_key(needed):
        return import_finding("DS104", imported.alias.name, Move(f"{module}.{name}", None, dist, True, reason=(
            f"{dist} {t.pins[dist]} refuses to import `{module}` on Airflow {t.target}: it needs Airflow {needed} "
            "or later")))
    # Where the class is defined, not every module that imports it (shims, `from x import Base`).
    homes = index.homes(name)
    version = t.pins[dist]
    new = provider_class_successor(t, module, name)
    if new is not None:
        return import_finding("DS104", imported.alias.name,
                              Move(f"{module}.{name}", new, t.dist_of(new.rpartition(".")[0]) or dist, True))
    reason = (
        f"{dist} {version} has no `{name}`" if not homes
        else f"{dist} {version} has `{name}` in {len(homes)} modules ({', '.join(homes)}); pick one"
    )
    said = by_path_or_name(t.hints.get(dist, {}), f"{module}.{name}")
    if said and not homes:
        reason += f"; an earlier {dist} deprecated it, saying: \"{said}\""
    return import_finding("DS104", imported.alias.name, Move(f"{module}.{name}", None, dist, True, reason=reason))


