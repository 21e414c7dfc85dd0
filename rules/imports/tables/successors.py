"""Where a class the target lacks went: what the import rules' fixes write (DS103/DS104) and the
class DS502 judges a call's arguments against (`AWSAthenaOperator` -> `AthenaOperator`): Airflow's
own shim on an older version, the one home of a class that moved, the class a 2.x shim's target
became, or the class a deprecated alias aliased.
"""

from __future__ import annotations

from typing import Optional

from dagshift.linter.targets import version_tuple
from dagshift.rules.imports.proofs import internal
from dagshift.rules.imports.tables import TargetTables, closed_world, core_world, provider_data, provider_successors


def shim_lead(t: TargetTables, module: str, name: str) -> Optional[str]:
    """Where Airflow's own deprecation shim for `module.name` pointed on the newest other version
    that had one, when that path imports cleanly on the target (a public home: `airflow.sdk.X`)."""
    # (older versions only: a name a newer Airflow added is code written for it, not a removal)
    for version in sorted(provider_data()["core"], key=version_tuple, reverse=True):
        if version_tuple(version) >= version_tuple(t.target):
            continue
        world = core_world(version)
        if module not in world:
            continue
        lead = world.shim_target(module, name)
        if lead is None or "." not in lead or internal(lead):
            continue
        home, _, attr = lead.rpartition(".")
        lead_world = t.world_of(home)
        if lead_world is not None and home in lead_world and closed_world(t, home, attr) is None:
            return lead
    return None


def by_path_or_name(table: dict[str, str], path: str) -> Optional[str]:
    """The entry of `path`, else of the one path of the table with the same class name (the
    class moved modules before it was deprecated: `s3_prefix.S3PrefixSensor`, `s3.S3PrefixSensor`)."""
    if path in table:
        return table[path]
    name = "." + path.rpartition(".")[2]
    found = [value for key, value in table.items() if key.endswith(name)]
    return found[0] if len(set(found)) == 1 else None


def renamed(t: TargetTables, dist: str, path: str) -> Optional[str]:
    """Where a provider class that was kept for a while as a plain deprecated alias went: the
    class it aliased, followed through later renames and moves to where the pinned version has it."""
    renames = t.renames.get(dist, {})
    seen = {path}
    new = by_path_or_name(renames, path)
    while new is not None and new not in seen:
        seen.add(new)
        module, _, name = new.rpartition(".")
        if closed_world(t, module, name) is None:
            return new
        world = t.provider_index(dist)
        homes = world.homes(name) if world is not None else []
        if len(homes) == 1:
            return f"{homes[0]}.{name}"
        new = renames.get(new)
    return None


def provider_class_successor(t: TargetTables, module: str, name: str) -> Optional[str]:
    """Where a provider class the pinned version no longer has at `module` went (DS104's fix, and the
    class DS502 judges the call's arguments against): its one home in the pinned version, the one
    class a 2.x shim's target became, or what a deprecated alias aliased; None when none says."""
    dist = t.dist_of(module)
    index = t.provider_index(dist) if dist else None
    if index is None or dist is None:
        return None
    homes = index.homes(name)
    if len(homes) != 1:
        successors = provider_successors(t.target).get(f"{module}.{name}", frozenset())
        if len(successors) == 1:
            return next(iter(successors))
    if len(homes) == 1:
        return f"{homes[0]}.{name}"
    return renamed(t, dist, f"{module}.{name}") if not homes else None
