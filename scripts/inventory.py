"""The closed world of one wheel: every module it ships and every name each module binds.

What `import m` and `from m import n` can reach on a target is exactly this (plus the wheels it
pins beside), so the linter can call anything else an error. Read with zipfile + ast only.

Per module:
  names    every top-level binding (private ones too: `from m import _helper` works), the names a
           PEP 562 table serves, and what `from x import *` brings in (x's `__all__`, else its
           public names), followed inside the wheel or through `outside` for other wheels;
  imported the names bound by an import (a definition lives elsewhere: not a "home");
  open     a module whose `__getattr__` answers names no table lists (any name may import);
  warns    a module that calls `warnings.warn` at import (a deprecated shim), or a virtual module
           a 2.4+ package's `__deprecated_classes` serves;
  shims    for those, where each name really comes from (`{"X": "airflow.new.module.X"}`, and
           `"*": "airflow.new.module"` for a star re-export): the destination of a fix.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from wheelindex import Wheel, bindings, deprecated_classes, lazy_names, star_sources, warns_at_import

# Names another wheel's module exports to a star import (None: not known here).
Outside = Callable[[str], Optional[frozenset[str]]]


@dataclass
class Inventory:
    names: dict[str, set[str]] = field(default_factory=dict)
    imported: dict[str, set[str]] = field(default_factory=dict)
    open: set[str] = field(default_factory=set)
    warns: set[str] = field(default_factory=set)
    shims: dict[str, dict[str, str]] = field(default_factory=dict)
    # Modules that raise at import below an Airflow version (`if not AIRFLOW_V_3_1_PLUS: raise`).
    requires: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        """Compact: one space-separated string of names per module (the table is read per target)."""
        table = {
            "modules": {m: " ".join(sorted(n)) for m, n in sorted(self.names.items())},
            "imported": {m: " ".join(sorted(n)) for m, n in sorted(self.imported.items()) if n},
            "open": sorted(self.open),
            "warns": sorted(self.warns),
            "shims": {m: dict(sorted(p.items())) for m, p in sorted(self.shims.items()) if p},
        }
        if self.requires:
            table["requires"] = dict(sorted(self.requires.items()))
        return table


def _all_list(tree: ast.Module) -> Optional[list[str]]:
    for stmt in tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "__all__"):
            try:
                value = ast.literal_eval(stmt.value)
            except ValueError:
                return None
            return [str(v) for v in value]
    return None


def _has_getattr(tree: ast.Module) -> bool:
    return any(isinstance(s, ast.FunctionDef) and s.name == "__getattr__" for s in tree.body)


def _calls_warn(func: ast.FunctionDef) -> bool:
    return any(isinstance(n, ast.Call) and getattr(n.func, "attr", getattr(n.func, "id", "")) == "warn"
               for n in ast.walk(func))


def _getattr_deprecations(tree: ast.Module) -> set[str]:
    """Names a module's `__getattr__` tests for by value (`if name == "X"`, `name != "X"`,
    `name in ("X", ...)`) when the function warns: names served with a deprecation warning."""
    found: set[str] = set()
    for func in tree.body:
        if not (isinstance(func, ast.FunctionDef) and func.name == "__getattr__"):
            continue
        if not _calls_warn(func):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Compare):
                for value in [node.left, *node.comparators]:
                    items = value.elts if isinstance(value, (ast.Tuple, ast.List, ast.Set)) else [value]
                    found |= {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
    return {n for n in found if n.isidentifier()}


def _getattr_table(tree: ast.Module) -> dict[str, str]:
    """A warning `__getattr__` that serves names from a module-level table: each name -> where it
    now lives. The tables Airflow writes:
      - (module, new name) pairs (3.x `airflow.datasets`: `_names_moved = {"Dataset":
        ("airflow.sdk.definitions.asset", "Asset")}`);
      - name -> module (3.2+ `airflow.utils.helpers`: `__deprecated_imports = {"chain":
        "airflow.sdk.definitions.mappedoperator"}`, looked up as `table[name]`);
      - a set of names and one f-string path (3.2+ `airflow.exceptions`: `name in
        _DEPRECATED_EXCEPTIONS`, then `f"airflow.sdk.exceptions.{name}"`)."""
    tables: dict[str, object] = {}
    for stmt in tree.body:
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target if isinstance(stmt, ast.AnnAssign) else None
        if isinstance(target, ast.Name) and isinstance(stmt.value, (ast.Dict, ast.Set, ast.List, ast.Tuple, ast.Call)):  # type: ignore[union-attr]
            value = stmt.value  # type: ignore[union-attr]
            if isinstance(value, ast.Call):  # frozenset({...})
                if not (getattr(value.func, "id", "") == "frozenset" and len(value.args) == 1):
                    continue
                value = value.args[0]
            try:
                tables[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    found: dict[str, str] = {}
    for func in tree.body:
        if not (isinstance(func, ast.FunctionDef) and func.name == "__getattr__"):
            continue
        if not _calls_warn(func):
            continue
        argument = func.args.args[0].arg if func.args.args else "name"
        paths = [node for node in ast.walk(func) if isinstance(node, ast.JoinedStr)
                 and any(isinstance(v, ast.FormattedValue) and getattr(v.value, "id", "") == argument for v in node.values)
                 and isinstance(node.values[0], ast.Constant) and str(node.values[0].value).startswith("airflow.")
                 and str(node.values[0].value).endswith(".") and len(node.values) == 2]
        for node in ast.walk(func):
            used = (node.comparators[0] if isinstance(node, ast.Compare) else node.value if isinstance(node, ast.Subscript)
                    else None)
            table = tables.get(used.id) if isinstance(used, ast.Name) else None
            if isinstance(table, dict):
                for name, spec in table.items():
                    if not isinstance(name, str):
                        continue
                    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(p, str) for p in spec):
                        found[name] = f"{spec[0]}.{spec[1]}"
                    elif isinstance(spec, str) and spec.startswith("airflow."):
                        found[name] = f"{spec}.{name}"
            elif isinstance(table, (set, list, tuple)) and len(paths) == 1:
                prefix = str(paths[0].values[0].value)  # type: ignore[attr-defined]
                found.update({name: prefix + name for name in table if isinstance(name, str)})
    return found


VERSION_FLAG = re.compile(r"AIRFLOW_V_(\d+)_(\d+)(?:_(\d+))?_PLUS$")


def _required_airflow(tree: ast.Module) -> Optional[str]:
    """The Airflow version below which a module raises at import: a top-level
    `if not AIRFLOW_V_3_1_PLUS: raise ...` (a provider feature that needs a newer Airflow)."""
    for stmt in tree.body:
        test = stmt.test if isinstance(stmt, ast.If) else None
        if (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Name)
                and any(isinstance(s, ast.Raise) for s in stmt.body)):  # type: ignore[union-attr]
            found = VERSION_FLAG.match(test.operand.id)
            if found:
                return ".".join(g for g in found.groups() if g is not None)
    return None


def _imports_submodule(tree: ast.Module, package: str, sub: str) -> bool:
    """Whether a package's own code imports its submodule `sub` (before anything shadows it)."""
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom):
            source = ("." * stmt.level) + (stmt.module or "")
            if source in (f".{sub}", f"{package}.{sub}") or (source in (".", package) and any(a.name == sub for a in stmt.names)):
                return True
        elif isinstance(stmt, ast.Import) and any(a.name == f"{package}.{sub}" for a in stmt.names):
            return True
    return False


def _origins(tree: ast.Module, module: str, is_package: bool, bound: dict) -> dict[str, str]:
    """A shim's names -> the Airflow paths they are imported from."""
    found = {name: f"{origin[0]}.{origin[1]}" for name, origin in bound.items()
             if origin is not None and origin[1] and origin[0].split(".")[0] == "airflow"}
    stars = [s for s in star_sources(tree, module, is_package) if s.split(".")[0] == "airflow"]
    if len(stars) == 1:
        found["*"] = stars[0]
    return found


class _Stars:
    """What `from module import *` binds, for the modules of one wheel (and through `outside`)."""

    def __init__(self, wheel: Wheel, outside: Optional[Outside]) -> None:
        self.wheel = wheel
        self.outside = outside
        self.exported: dict[str, Optional[frozenset[str]]] = {}

    def exports(self, module: str, depth: int = 0) -> Optional[frozenset[str]]:
        """None: not known here (another wheel, a cycle, too deep)."""
        if module in self.exported:
            return self.exported[module]
        if not self.wheel.has_module(module):
            return self.outside(module) if self.outside else None
        if depth > 12:
            return None
        self.exported[module] = None  # a cycle answers "unknown"
        names = self.names(module, depth)
        tree = self.wheel.tree(module)
        assert tree is not None
        listed = _all_list(tree)
        result = frozenset(listed) if listed is not None else (
            None if names is None else frozenset(n for n in names if not n.startswith("_"))
        )
        self.exported[module] = result
        return result

    def names(self, module: str, depth: int = 0) -> Optional[set[str]]:
        """Every name the module binds, stars followed (None: a star source is not known)."""
        tree = self.wheel.tree(module)
        assert tree is not None
        is_package = (self.wheel.module_file(module) or "").endswith("__init__.py")
        names = set(bindings(tree, module, is_package)) | set(lazy_names(tree))
        for source in star_sources(tree, module, is_package):
            more = self.exports(source, depth + 1)
            if more is None:
                return None
            names |= more
        return names


def _deprecation_tables(inv: Inventory, tree: ast.Module, module: str, names: set[str],
                        virtuals: dict[str, dict[str, str]]) -> None:
    """A package's `__deprecated_classes` / `add_deprecated_classes({...})` tables: its own names
    served with a warning, and the virtual modules it registers (collected in `virtuals`)."""
    for sub, classes in deprecated_classes(tree).items():
        if sub == "":  # the package's own names
            for name, dest in classes.items():
                if name == "*":  # every other name, redirected with a warning (3.3's airflow.macros)
                    inv.open.add(module)
                    inv.warns.add(module)
                else:
                    names.add(name)
                    inv.warns.add(f"{module}.{name}")
                inv.shims.setdefault(module, {})[name] = dest
            continue
        virtual = f"{module}.{sub}"
        # add_deprecated_classes puts the virtual module in sys.modules when the package is
        # imported: it shadows a real file of the same name unless the package imported that
        # file first (3.3's `airflow.hooks.base`: the virtual one, serving BaseHook, wins).
        if _imports_submodule(tree, module, sub):
            continue
        virtuals[virtual] = dict(classes)


def wheel_inventory(wheel: Wheel, prefix: str, outside: Optional[Outside] = None) -> Inventory:
    """The inventory of every module of `wheel` under `prefix` ("airflow/", "airflow/providers/")."""
    inv = Inventory()
    stars = _Stars(wheel, outside)
    virtuals: dict[str, dict[str, str]] = {}  # modules a package's `__deprecated_classes` serves
    for module in wheel.modules(prefix):
        tree = wheel.tree(module)
        assert tree is not None
        is_package = (wheel.module_file(module) or "").endswith("__init__.py")
        bound = bindings(tree, module, is_package)
        names = stars.names(module)
        if names is None or (_has_getattr(tree) and not lazy_names(tree) and not _getattr_table(tree)):
            inv.open.add(module)
            names = names or set(bound)
        inv.names[module] = names
        if (needs := _required_airflow(tree)) is not None:
            inv.requires[module] = needs
        inv.imported[module] = {n for n, origin in bound.items() if origin is not None}
        if warns_at_import(tree):
            inv.warns.add(module)
            inv.shims[module] = _origins(tree, module, is_package, bound)
        # Single names served with a warning: a PEP 562 table's deprecated entries, and the names a
        # warning `__getattr__` tests for (`airflow.models.ImportError` on 2.10+).
        lazy = lazy_names(tree, module)
        for name, (source, attr, deprecated) in lazy.items():
            if deprecated:
                inv.warns.add(f"{module}.{name}")
                inv.shims.setdefault(module, {})[name] = f"{source}.{attr}"
        for name in _getattr_deprecations(tree) - set(bound):  # (bound names never reach __getattr__)
            names.add(name)
            inv.warns.add(f"{module}.{name}")
        for name, dest in _getattr_table(tree).items():
            if name not in bound:
                names.add(name)
                inv.warns.add(f"{module}.{name}")
                inv.shims.setdefault(module, {})[name] = dest
        # (a plain module's own `add_deprecated_classes({__name__: {...}})` too: 3.3's
        # airflow.utils.context serves `Context` that way)
        _deprecation_tables(inv, tree, module, names, virtuals)
    for virtual, classes in virtuals.items():
        inv.names[virtual] = set(classes) - {"*"}
        inv.warns.add(virtual)
        inv.shims[virtual] = classes
        if "*" in classes:  # every name of the module, redirected (3.3's airflow.utils.timezone)
            inv.open.add(virtual)
        else:
            inv.open.discard(virtual)
    # Packages without an __init__.py (namespace packages) import too.
    for module in list(inv.names):
        parts = module.split(".")
        for i in range(1, len(parts)):
            inv.names.setdefault(".".join(parts[:i]), set())
    return inv
