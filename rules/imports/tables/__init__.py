"""The generated import tables for one target, and the pre-screen that reads them.

No libcst here: the pre-screen runs on every Python file, and most of them never need a parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from dagshift.linter.tables import load_table, table_path
from dagshift.linter.targets import version_tuple
from dagshift.rules.imports.statements import Statement, import_statements
from dagshift.rules.imports.world import World

# Paths no DAG imports and the tables leave out (example DAGs and tests some wheels ship): not judged.
UNJUDGED = ("example_dags", "tests")


# Airflow 1.10 made modules of each plugin's lists under these packages (`airflow.operators.<plugin>`);
# imports through them are the plugin family's to judge (DS201/DS205), against the repository's plugins.
PLUGIN_NAMESPACES = {"airflow.operators": "operators", "airflow.sensors": "sensors", "airflow.hooks": "hooks",
                     "airflow.macros": "macros"}


def plugin_namespace(module: str) -> bool:
    """`airflow.operators` itself, or a module right under a plugin namespace that no Airflow 2
    version has (the caller asks only after the closed world said no): a plugin's module, not
    Airflow's (`airflow.operators.empty` on 2.2.2 is code written for 2.3+, DS101's)."""
    if module in PLUGIN_NAMESPACES:
        return True
    return module.rpartition(".")[0] in PLUGIN_NAMESPACES and module not in namespace_modules()


@lru_cache(maxsize=1)
def namespace_modules() -> frozenset[str]:
    """Every module under the plugin namespaces that some Airflow 2 target's core wheel has."""
    from dagshift.linter.datacache import load

    def build() -> list[str]:
        return sorted({m for table in provider_data()["core"].values() for m in table["modules"]
                       if m.rpartition(".")[0] in PLUGIN_NAMESPACES})

    return frozenset(load("namespace-modules", (str(table_path("provider_index")), __file__), build))


def unjudged(module: str) -> bool:
    return any(part in UNJUDGED for part in module.split("."))


@lru_cache(maxsize=1)
def moves_table() -> dict[str, dict[str, dict]]:
    return load_table("import_moves", "moves")["moves"]


@lru_cache(maxsize=1)
def provider_data() -> dict[str, Any]:
    return load_table("provider_index", "core", "pins", "providers", "class_renames", "class_hints")


@dataclass(frozen=True)
class TargetTables:
    """The slice of the tables one target needs, with the sets the pre-screen tests against."""

    target: str
    entries: dict[str, dict]  # old path -> entry, for paths that are not fine on the target
    old_modules: frozenset[str]
    pins: dict[str, str]
    providers: dict[str, World]  # pinned distribution -> its closed world
    core: World  # the core wheel's closed world
    successors: dict[str, frozenset[str]]  # see provider_successors
    # Per pinned provider, from its own deprecation code across versions (pinned and between):
    renames: dict[str, dict[str, str]]  # old class path -> the class it was a plain alias of
    hints: dict[str, dict[str, str]]  # old class path -> what its deprecation warning said

    def provider_index(self, dist: str) -> Optional[World]:
        return self.providers.get(dist)

    def dist_of(self, module: str) -> Optional[str]:
        return provider_dist(module, self.pins)

    def world_of(self, module: str) -> Optional[World]:
        """The wheel whose closed world decides `module` (None: a provider the target does not pin,
        or a path the tables leave out; nothing can be said of it)."""
        if unjudged(module):
            return None
        if module.split(".")[:2] == ["airflow", "providers"] and module != "airflow.providers":
            dist = self.dist_of(module)
            return self.providers.get(dist) if dist else None
        return self.core

    def homes(self, name: str) -> list[tuple[str, str]]:
        """(module, distribution) of every pinned provider module that defines `name` itself
        (imports, re-exports and shims left out)."""
        return sorted((m, dist) for dist, world in self.providers.items() for m in world.homes(name))


def provider_dist(module: str, pins: Any) -> Optional[str]:
    """The pinned provider distribution an `airflow.providers.*` module belongs to (None: not pinned)."""
    parts = module.split(".")
    if parts[:2] != ["airflow", "providers"]:
        return None
    for length in (3, 2, 1):
        dist = "apache-airflow-providers-" + "-".join(parts[2 : 2 + length])
        if dist in pins:
            return dist
    return None


def guessed_dist(module: str) -> str:
    """`airflow.providers.apache.hive.x` -> apache-airflow-providers-apache-hive (for a message only:
    the provider is not pinned, so its exact split is a guess of two parts at most)."""
    parts = module.split(".")[2:4]
    two = parts[0] in ("apache", "microsoft", "cncf", "common", "atlassian", "dbt") and len(parts) > 1
    return "apache-airflow-providers-" + "-".join(parts if two else parts[:1])


@lru_cache(maxsize=1)
def _all_dists() -> dict[str, str]:
    """Every provider distribution any target pins, by any version: name -> itself."""
    return {dist: dist for pins in provider_data()["pins"].values() for dist in pins}


def any_pinned_dist(module: str) -> Optional[str]:
    """The provider distribution of an `airflow.providers.*` module by the names any target pins
    (`airflow.providers.apache.beam.operators.beam` -> apache-airflow-providers-apache-beam)."""
    if module.split(".")[:2] != ["airflow", "providers"] or module == "airflow.providers":
        return None
    return provider_dist(module, _all_dists())


@lru_cache(maxsize=16)  # one per target: a report's matrix asks for each in turn
def tables(target: str) -> TargetTables:
    from dagshift.linter.datacache import load

    sources = (str(table_path("import_moves")), str(table_path("provider_index")), __file__)
    data = load(f"import-tables-{target}", sources, lambda: _slice(target))
    return TargetTables(
        target, data["entries"], frozenset(data["old_modules"]), data["pins"],
        {dist: World(table) for dist, table in data["providers"].items()}, World(data["core"]),
        {k: frozenset(v) for k, v in data["successors"].items()}, data["renames"], data["hints"],
    )


def _slice(target: str) -> dict[str, Any]:
    moves, providers = moves_table(), provider_data()
    entries = {old: dict(per[target]) for old, per in moves.items() if per.get(target, {}).get("status", "ok") != "ok"}
    for old, entry in entries.items():
        if entry["status"] == "removed" and "to" not in entry:
            # Where the newest other target's shim or move led: that provider path's own fate
            # (renamed, deprecated with a message, provider not pinned) is what the finding can say.
            leads = [(version_tuple(v), e["to"]) for v, e in moves[old].items() if e.get("to") and v != target]
            if leads:
                entry["last_to"] = max(leads)[1]
    modules = {old.rpartition(".")[0] for old in entries} | set(
        entries  # a path that is itself a module (`from airflow.contrib.hooks import aws_hook`)
    )
    pins = providers["pins"].get(target, {})
    pinned = [f"{dist}=={version}" for dist, version in pins.items()]
    return {
        "entries": entries,
        "old_modules": sorted(modules),
        "pins": pins,
        "providers": {key.partition("==")[0]: providers["providers"][key]
                      for key in pinned if key in providers["providers"]},
        "core": providers["core"].get(target, {"modules": {}, "open": [], "warns": []}),
        "successors": _successors(moves, target),
        "renames": {dist: providers["class_renames"].get(dist, {}) for dist in pins},
        "hints": {dist: providers["class_hints"].get(dist, {}) for dist in pins},
    }


# -- pre-screen: exact, on the raw text, without parsing ------------------------------------

@lru_cache(maxsize=32)  # the four import rules and DS502 ask about the same file in a row
def screen(text: str, target: str) -> tuple[bool, bool]:
    """(any 1.10 path the target moved, any airflow.providers import worth validating)."""
    if "airflow" not in text:
        return False, False
    moved = providers = False
    for statement in import_statements(text):
        if statement[0] is None or statement[0].startswith("airflow"):
            # A repository repeats the same import lines across its files: each is judged once.
            one_moved, one_providers = _judge(statement, target)
            moved, providers = moved or one_moved, providers or one_providers
            if moved and providers:
                break
    return moved, providers


@lru_cache(maxsize=8192)
def _judge(statement: Statement, target: str) -> tuple[bool, bool]:
    t = tables(target)
    module, names = statement
    moved = providers = False
    if module is None:
        for dotted in names or ():
            if dotted in t.old_modules:
                moved = True
            elif dotted.split(".")[0] == "airflow" and _fails_or_warns(t, dotted, None):
                moved, providers = moved or not _is_provider(dotted), providers or _is_provider(dotted)
        return moved, providers
    if module in t.old_modules:
        return True, False
    if names is None:  # a list only the parser can read
        return any(old.startswith(module + ".") for old in t.old_modules) or not _is_provider(module), _is_provider(module)
    moved = any(f"{module}.{n}" in t.entries or f"{module}.{n}" in t.old_modules for n in names)
    if any(_fails_or_warns(t, module, n) for n in names):
        moved, providers = moved or not _is_provider(module), _is_provider(module)
    return moved, providers


def _fails_or_warns(t: TargetTables, module: str, name: Optional[str]) -> bool:
    # (a provider the target does not pin may fail too, where nothing installs it: the analysis asks)
    return import_verdict(t, module, name) is not None or (_is_provider(module) and t.dist_of(module) is None)


def import_verdict(t: TargetTables, module: str, name: Optional[str] = None) -> Optional[str]:
    """closed_world's verdict as the import rules report it: an import that fails through a 1.10
    plugin namespace is DS201/DS205's, not theirs (the pre-screen and the analysis ask this)."""
    verdict = closed_world(t, module, name)
    if verdict not in (None, "warns") and plugin_namespace(module):
        return None
    return verdict


def _is_provider(module: str) -> bool:
    return module.startswith("airflow.providers.")


def closed_world(t: TargetTables, module: str, name: Optional[str] = None) -> Optional[str]:
    """What the target's closed world says of `import module` / `from module import name`:
    None (it imports cleanly, or nothing can be said), "module" (no such module), "name" (the module
    has no such name), "warns" (the module is a deprecated shim: it imports with a warning).

    Paths of the 1.10 move tables (t.entries, t.old_modules) are the caller's to judge first.
    """
    world = t.world_of(module) if module.split(".")[0] == "airflow" else None
    if world is None or module == "airflow.providers":
        return None
    if module not in world:
        return "module"
    if module in world.requires and version_tuple(t.target) < version_tuple(world.requires[module]):
        return "module"  # the module raises at import on this Airflow version
    if name is not None and name != "*" and not world.has(module, name):
        return "name"
    # A submodule or a single name can warn on its own (`airflow.models.ImportError`); importing a
    # module runs every package above it, and a package that warns at import warns for all of them.
    if name and f"{module}.{name}" in world.warns:
        return "warns"
    parts = module.split(".")
    if any(".".join(parts[:i]) in world.warns for i in range(2, len(parts) + 1)):
        return "warns"
    return None


@lru_cache(maxsize=32)
def core_world(version: str) -> World:
    """One version's core closed world, read from the whole table (for shims of other versions)."""
    return World(provider_data()["core"][version])


def core_has(module: str, name: Optional[str]) -> list[str]:
    """The targets whose core wheel has the module (and the name): read from the whole table, so
    only for a finding's message."""
    found = []
    for version, table in provider_data()["core"].items():
        world = World(table)
        if module in world and (name is None or world.has(module, name)):
            found.append(version)
    return found


def provider_successors(target: str) -> dict[str, frozenset[str]]:
    """Provider paths some 2.x version's shims pointed to -> where the same 1.10 class is on `target`.

    Code of the backport-provider era imports what the early shims pointed at
    (`...operators.glue.AwsGlueJobOperator`); the tables say where that class went since.
    """
    return tables(target).successors


def _successors(moves: dict[str, dict[str, dict]], target: str) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for per_target in moves.values():
        now = per_target.get(target, {}).get("to")
        if not now:
            continue
        for entry in per_target.values():
            then = entry.get("to", "")
            if then.startswith("airflow.providers.") and then != now:
                found.setdefault(then, set()).add(now)
    return {k: sorted(v) for k, v in found.items()}


@lru_cache(maxsize=32)
def providers_imported(text: str, target: str) -> list[str]:
    """Provider distributions (pinned on the target) that a file's import lines name, in order."""
    t = tables(target)
    found: list[str] = []
    for module, names in import_statements(text):
        for dotted in (module,) if module is not None else names or ():
            if dotted.startswith("airflow.providers."):
                dist = t.dist_of(dotted) or any_pinned_dist(dotted)  # (one the target does not pin, too)
                if dist and dist not in found:
                    found.append(dist)
    return found


@lru_cache(maxsize=32)
def providers_needed(text: str, target: str) -> tuple[str, ...]:
    """Providers a file's imports need on the target, read from its import lines (no parse):
    `airflow.providers.*` imports, and the providers 1.10 paths lead to (what their fixes import)."""
    t = tables(target)
    found = list(providers_imported(text, target))
    for module, names in import_statements(text):
        if module is None or not module.startswith("airflow"):
            continue
        for name in names or ():
            entry = t.entries.get(f"{module}.{name}")
            if entry and entry.get("dist") and entry["dist"] not in found:
                found.append(entry["dist"])
    return tuple(found)


def rewrite_proof(target: str, old: str, new: str) -> Optional[tuple[str, str]]:
    """What real Airflow showed of the rewrite `old` -> `new` on the target (rules/imports/proofs.py):
    for other families' fixes that write an import (DS503's EmptyOperator)."""
    from dagshift.rules.imports.proofs import verdict

    return verdict(target, old, new)
