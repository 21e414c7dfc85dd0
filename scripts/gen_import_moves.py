#!/usr/bin/env python3
"""Generate the import-move tables: where every Airflow 1.10 import path lands on each 2.x target.

Writes
  rules/imports/data/import_moves.json      old path -> per target: status, destination, provider
  rules/imports/data/provider_index.json    per target: the pinned provider versions, and the closed
                                    world of the core wheel and of each pinned provider version
                                    (every module -> every name it binds; see scripts/inventory.py)

from official wheels only, read with zipfile + ast (never imported):
  - apache-airflow 1.10.15: the inventory of 1.10 public classes and functions;
  - apache-airflow-upgrade-check 1.4.0: its renamed-classes table (a fallback for paths no shim keeps);
  - apache-airflow <target> for every Airflow 2 version MWAA offers: 2.0-2.3 shim modules,
    2.4+ `__deprecated_classes` tables;
  - apache-airflow-providers-* at the version each target's constraint file pins.

    python scripts/gen_import_moves.py --wheels /tmp/wheels --constraints ../shared/reference/constraints

Missing wheels are fetched with `pip download --no-deps` into --wheels."""

from __future__ import annotations

import argparse
import ast
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from packaging.version import Version

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import CONSTRAINTS, SOURCES, dotted, mwaa_versions, provider_dist, table_path  # noqa: E402
from inventory import Inventory, wheel_inventory  # noqa: E402
from move_sources import ClassFinder, deprecated_aliases, deprecation_messages, inventory, renamed_classes  # noqa: E402
from wheelindex import (  # noqa: E402
    Wheel,
    airflow_wheel,
    bindings,
    classes_and_functions,
    deprecated_classes,
    lazy_names,
    read_constraints,
    star_sources,
    warns_at_import,
    wheel_file,
)

SOURCE_VERSION = "1.10.15"
UPGRADE_CHECK = ("apache-airflow-upgrade-check", "1.4.0")
OVERRIDES: dict[str, dict[str, str]] = {
    k: v for k, v in json.loads((Path(__file__).resolve().parent / "import_overrides.json").read_text()).items()
    if not k.startswith("_")
}


@dataclass
class Resolution:
    status: str  # "ok" | "deprecated" | "missing"
    module: str
    name: str
    note: str = ""


class Target:
    def __init__(self, version: str, python: str, wheels: Path, constraints: Path) -> None:
        self.version = version
        self.core = airflow_wheel(wheels, version)
        self.pins = read_constraints(constraints / f"constraints-{version}-{python}.txt")
        self.wheels = wheels
        self.providers: dict[str, Optional[Wheel]] = {}

    def dist_of(self, module: str) -> Optional[str]:
        # The runtime's rule (None for a provider the target does not pin), not a guess of our own.
        return provider_dist(module, self.pins)

    def wheel_for(self, module: str) -> Optional[Wheel]:
        dist = self.dist_of(module)
        if dist is None:
            return self.core
        if dist not in self.providers:
            version = self.pins.get(dist)
            self.providers[dist] = Wheel(wheel_file(self.wheels, dist, version)) if version else None
        return self.providers[dist]

    def resolve(self, module: str, name: str, depth: int = 0) -> Resolution:
        if depth > 12:
            return Resolution("missing", module, name, "import cycle")
        wheel = self.wheel_for(module)
        if wheel is None:
            dist = self.dist_of(module)
            return Resolution("missing", module, name, f"{dist} is not in the constraint file")
        tree = wheel.tree(module)
        if tree is None:
            return self._virtual(module, name, depth)
        is_package = (wheel.module_file(module) or "").endswith("__init__.py")
        bound = bindings(tree, module, is_package)
        shim = warns_at_import(tree)
        if name not in bound:
            if is_package and wheel.has_module(f"{module}.{name}"):
                return Resolution("ok", module, name)
            moved = _moved(deprecated_classes(tree).get("", {}), name) if is_package else None  # 3.x: {__name__: ...}
            if moved:
                return self._deprecated_to(moved, depth)
            if name in lazy_names(tree):
                return Resolution("ok", module, name)
            for source in star_sources(tree, module, is_package):
                inner = self.resolve(source, name, depth + 1)
                if inner.status != "missing":
                    status = "deprecated" if shim else inner.status
                    return Resolution(status, inner.module if shim else module, inner.name if shim else name)
            return Resolution("missing", module, name, f"{module} has no {name}")
        origin = bound[name]
        if origin is None:
            node = classes_and_functions(tree).get(name)
            if shim and isinstance(node, ast.ClassDef) and len(node.bases) == 1:
                base = dotted(node.bases[0])
                if base and base.split(".")[0] in bound and bound[base.split(".")[0]]:
                    src_module, src_name = bound[base.split(".")[0]]  # type: ignore[misc]
                    if "." in base:
                        src_module, src_name = f"{src_module}.{src_name}".rstrip("."), base.split(".", 1)[1]
                    inner = self.resolve(src_module, src_name, depth + 1)
                    return Resolution("deprecated" if inner.status != "missing" else "missing", inner.module, inner.name, inner.note)
            return Resolution("deprecated" if shim else "ok", module, name)
        src_module, src_name = origin
        if not src_module.startswith("airflow") or not src_name:
            return Resolution("deprecated" if shim else "ok", module, name)
        inner = self.resolve(src_module, src_name, depth + 1)
        if not shim:
            return Resolution(inner.status if inner.status == "missing" else "ok", module, name, inner.note)
        return Resolution("deprecated" if inner.status != "missing" else "missing", inner.module, inner.name, inner.note)

    def _deprecated_to(self, dotted: str, depth: int) -> Resolution:
        inner = self.resolve(*dotted.rsplit(".", 1), depth + 1)
        return Resolution("deprecated" if inner.status != "missing" else "missing", inner.module, inner.name, inner.note)

    def _virtual(self, module: str, name: str, depth: int) -> Resolution:
        """2.4+: a module that only exists in a package's `__deprecated_classes` table."""
        parent, _, sub = module.rpartition(".")
        wheel = self.wheel_for(parent)
        tree = wheel.tree(parent) if wheel else None
        if tree is not None:
            new = _moved(deprecated_classes(tree).get(sub, {}), name)
            if new:
                return self._deprecated_to(new, depth)
        return Resolution("missing", module, name, f"no module {module}")


def _moved(table: dict[str, str], name: str) -> Optional[str]:
    """Where a `__deprecated_classes` table sends `name` (3.3's "*" entries send every name)."""
    return table.get(name) or (f"{table['*']}.{name}" if "*" in table else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, required=True)
    parser.add_argument("--constraints", type=Path, default=CONSTRAINTS)
    parser.add_argument("--data", type=Path, default=table_path("import_moves").parent)
    parser.add_argument("--targets", nargs="*", help="only these targets (for a quick look; the data needs all)")
    args = parser.parse_args()
    args.wheels.mkdir(parents=True, exist_ok=True)

    targets = [(v["airflow"], v["python"]) for v in mwaa_versions() if not v["airflow"].startswith("1.")]
    if args.targets:
        targets = [t for t in targets if t[0] in args.targets]
    source = Wheel(wheel_file(args.wheels, "apache-airflow", SOURCE_VERSION))
    checker = Wheel(wheel_file(args.wheels, *UPGRADE_CHECK))
    run = _Run(inventory(source), renamed_classes(checker))
    for version, python in targets:
        run.target(Target(version, python, args.wheels, args.constraints))
    _drop_unchanged(run.moves, [v for v, _ in targets])
    run.history(args.wheels)
    header = {
        "generator": "scripts/gen_import_moves.py",
        "source": {"wheel": source.path.name, "sha256": source.sha256},
        "renamed_classes": {"wheel": checker.path.name, "sha256": checker.sha256},
        "targets": run.provenance,
    }
    (args.data / "import_moves.json").write_text(
        json.dumps({"_provenance": header, "source_version": SOURCE_VERSION, "moves": run.moves}, indent=1, sort_keys=True) + "\n"
    )
    (args.data / "provider_index.json").write_text(
        json.dumps({"_provenance": {"generator": "scripts/gen_import_moves.py", "targets": run.provenance,
                                    "history": run.history_provenance},
                    "pins": run.pins, "providers": run.index, "core": run.core_index,
                    "class_renames": run.merged(0), "class_hints": run.merged(1)},
                   sort_keys=True, separators=(",", ":")) + "\n"
    )
    print(f"wrote {len(run.moves)} moved paths and {len(run.index)} provider versions", file=sys.stderr)


class _Run:
    """Everything the two tables accumulate, target after target (in version order)."""

    def __init__(self, old_paths: dict[str, Optional[str]], renamed: dict[str, str]) -> None:
        self.old_paths = old_paths
        self.renamed = renamed
        self.finder = ClassFinder()
        self.moves: dict[str, dict] = {}
        # Where Airflow last pointed an old path (an earlier target's shim): the lead once a shim goes.
        self.last_pointer: dict[str, str] = {}
        self.index: dict[str, dict] = {}
        self.inventories: dict[str, Inventory] = {}  # provider wheel -> its inventory (for star imports)
        # Per provider and version: its class renames and deprecation texts (old path -> new / text).
        self.deprecations: dict[str, dict[Version, tuple[dict[str, str], dict[str, str]]]] = {}
        self.core_index: dict[str, dict] = {}
        self.pins: dict[str, dict[str, str]] = {}
        self.provenance: dict[str, dict] = {}

    def target(self, target: Target) -> None:
        version = target.version
        self.provenance[version] = {"core": target.core.provenance()}
        print(f"{version}: resolving {len(self.old_paths)} paths", file=sys.stderr)
        for old, alias in sorted(self.old_paths.items()):
            entry = self._entry(target, old, alias)
            if entry is not None:
                self.moves.setdefault(old, {})[version] = entry
        _same_class_elsewhere(self.moves, version)
        _beside_a_sibling(target, self.finder, self.moves, version)
        for per_target in self.moves.values():
            entry = per_target.get(version)
            if entry and "to" in entry:
                dist = target.dist_of(entry["to"].rpartition(".")[0])
                if dist:
                    entry["dist"] = dist
        # The closed world holds every provider the constraint file pins, not only those a 1.10 path
        # leads to (`airflow.providers.telegram...` must be judged too).
        for dist in sorted(target.pins):
            if dist.startswith("apache-airflow-providers-") and dist not in target.providers:
                target.providers[dist] = Wheel(wheel_file(target.wheels, dist, target.pins[dist]))
        self.pins[version] = {d: target.pins[d] for d in sorted(target.providers) if target.providers[d] is not None}
        self._providers(target)
        self.core_index[version] = _core_index(target, self.inventories)

    def _entry(self, target: Target, old: str, alias: Optional[str]) -> Optional[dict]:
        """The old path's entry on this target (None: it imports as it did)."""
        module, _, name = old.rpartition(".")
        res = target.resolve(module, name)
        via = "shim"
        if res.status == "missing" and alias:
            a_module, _, a_name = alias.rpartition(".")
            aliased = target.resolve(a_module, a_name)
            if aliased.status != "missing":
                res = Resolution("missing", aliased.module, aliased.name, "package-level name removed")
                via = "package alias"
        if res.status == "ok":
            return None
        entry: dict = {"status": "removed" if res.status == "missing" else res.status}
        if res.status == "deprecated" or via == "package alias":
            entry["to"] = f"{res.module}.{res.name}"
            entry["via"] = via
        else:
            dest = _destination(target, self.finder, old, alias, self.renamed, res, self.last_pointer.get(old))
            if dest:
                entry["to"], entry["via"] = dest
            elif OVERRIDES.get(old, {}).get("hint"):
                entry["hint"] = OVERRIDES[old]["hint"]  # no importable successor: what to do instead
        if entry["status"] == "deprecated" and via == "shim":
            self.last_pointer[old] = entry["to"]
        return entry

    def _providers(self, target: Target) -> None:
        for dist, wheel in sorted(target.providers.items()):
            if wheel is None:
                continue
            key = f"{dist}=={target.pins[dist]}"
            self.provenance[target.version][dist] = wheel.provenance()
            if key not in self.index:
                found = wheel_inventory(wheel, "airflow/providers/")
                self.inventories[str(wheel.path)] = found
                self.index[key] = _without_examples(found.to_json())
                self.read_deprecations(dist, target.pins[dist], wheel)

    def read_deprecations(self, dist: str, version: str, wheel: Wheel) -> None:
        self.deprecations.setdefault(dist, {})[Version(version)] = (deprecated_aliases(wheel), deprecation_messages(wheel))

    def merged(self, which: int) -> dict[str, dict[str, str]]:
        """Renames (0) or hints (1) per provider, a later version's word over an earlier one's."""
        out: dict[str, dict[str, str]] = {}
        for dist, per_version in sorted(self.deprecations.items()):
            merged: dict[str, str] = {}
            for version in sorted(per_version):
                merged.update(per_version[version][which])
            if merged:
                out[dist] = dict(sorted(merged.items()))
        return out

    def history(self, wheels: Path) -> None:
        """The releases between the pinned ones (scripts/sources/provider_history.json): their
        deprecation code is the lead to classes the pinned versions no longer have."""
        chosen = json.loads((SOURCES / "provider_history.json").read_text())["versions"]
        self.history_provenance: dict[str, dict] = {}
        for dist, versions in sorted(chosen.items()):
            for version in sorted(versions, key=Version):
                wheel = Wheel(wheel_file(wheels, dist, version))
                self.history_provenance[f"{dist}=={version}"] = wheel.provenance()
                self.read_deprecations(dist, version, wheel)


def _destination(target: Target, finder: ClassFinder, old: str, alias: Optional[str], renamed: dict[str, str],
                 res: Resolution, pointer: Optional[str]) -> Optional[tuple[str, str]]:
    """Where a path that no longer imports should point on this target, verified in its wheels."""
    candidates = [
        (pointer, "earlier shim"),
        (renamed.get(old), "renamed_classes"),
        (renamed.get(alias or ""), "renamed_classes"),
        (OVERRIDES.get(old, {}).get("to"), "curated"),
    ]
    for new, source in candidates:
        if not new:
            continue
        n_module, _, n_name = new.rpartition(".")
        found = target.resolve(n_module, n_name)
        if found.status != "missing":
            return f"{found.module}.{found.name}", source
        wheel = target.wheel_for(n_module)
        if wheel is not None and target.dist_of(n_module):
            for wanted in (n_name, old.rpartition(".")[2]):
                unique = finder.find(wheel, wanted)
                if unique:
                    return f"{unique}.{wanted}", "same name in the pinned provider"
    # The chain broke inside a provider: look for the class it was after, by name.
    if target.dist_of(res.module):
        wheel = target.wheel_for(res.module)
        if wheel is not None:
            unique = finder.find(wheel, res.name)
            if unique:
                return f"{unique}.{res.name}", "same name in the pinned provider"
    return None


def _core_index(target: Target, inventories: dict[str, Inventory]) -> dict:
    """The closed world of the core wheel: every module, every name it binds (stars followed into
    the pinned providers, whose inventories were read first)."""

    def outside(module: str) -> Optional[frozenset[str]]:
        wheel = target.wheel_for(module) if target.dist_of(module) else None
        found = inventories.get(str(wheel.path)) if wheel is not None else None
        if found is None or module in found.open or module not in found.names:
            return None
        return frozenset(n for n in found.names[module] if not n.startswith("_"))

    table = wheel_inventory(target.core, "airflow/", outside).to_json()
    del table["imported"]  # homes are looked up in providers only
    return _without_examples(table)


def _without_examples(table: dict) -> dict:
    """Example DAGs and test modules ship in some wheels; no DAG imports them, and the runtime does
    not judge their paths (rules/imports/tables.py: UNJUDGED), so they are left out of the table."""
    from dagshift.rules.imports.tables import unjudged

    for key in ("modules", "imported"):
        if key in table:
            table[key] = {m: n for m, n in table[key].items() if not unjudged(m)}
    for key in ("open", "warns"):
        table[key] = [m for m in table[key] if not unjudged(m)]
    table["shims"] = {m: p for m, p in table["shims"].items() if not unjudged(m)}
    return table


def _same_class_elsewhere(moves: dict[str, dict], version: str) -> None:
    """A removed path with no lead takes the destination of the same 1.10 class under another path.

    1.10 exposed some classes twice (`airflow.operators.sensors.ExternalTaskSensor` beside
    `airflow.sensors.external_task_sensor.ExternalTaskSensor`); the one that moved shows where.
    """
    by_name: dict[str, set[str]] = {}
    for old, per_target in moves.items():
        entry = per_target.get(version)
        # Constants (PROJECT_ID) share names across unrelated modules: classes only.
        if entry and "to" in entry and not old.rpartition(".")[2].isupper():
            by_name.setdefault(old.rpartition(".")[2], set()).add(entry["to"])
    for old, per_target in moves.items():
        entry = per_target.get(version)
        if entry and entry["status"] == "removed" and "to" not in entry:
            found = by_name.get(old.rpartition(".")[2], set())
            if len(found) == 1:
                entry["to"], entry["via"] = next(iter(found)), "same 1.10 class elsewhere"


def _beside_a_sibling(target: Target, finder: ClassFinder, moves: dict[str, dict], version: str) -> None:
    """A removed helper class with no lead is looked for where its 1.10 module's other classes went.

    `GcpTransferOperationStatus` lived beside `GCPTransferServiceHook`; the hook's destination
    module, or else a unique same-name class in that provider, is where the helper is now.
    """
    homes: dict[str, set[str]] = {}
    for old, per_target in moves.items():
        entry = per_target.get(version)
        if entry and entry.get("to", "").startswith("airflow.providers."):
            homes.setdefault(old.rpartition(".")[0], set()).add(entry["to"].rpartition(".")[0])
    for old, per_target in moves.items():
        entry = per_target.get(version)
        if not entry or entry["status"] != "removed" or "to" in entry:
            continue
        module, _, name = old.rpartition(".")
        for home in sorted(homes.get(module, ())):
            found = target.resolve(home, name)
            if found.status != "missing":
                entry["to"], entry["via"] = f"{found.module}.{found.name}", "beside its 1.10 neighbours"
                break
            wheel = target.wheel_for(home)
            unique = finder.find(wheel, name) if wheel is not None else None
            if unique:
                entry["to"], entry["via"] = f"{unique}.{name}", "beside its 1.10 neighbours"
                break


def _drop_unchanged(moves: dict[str, dict], versions: list[str]) -> None:
    """Paths fine on every target carry no entry; the rest list every target (ok included)."""
    for per_target in moves.values():
        for version in versions:
            per_target.setdefault(version, {"status": "ok"})


if __name__ == "__main__":
    main()
