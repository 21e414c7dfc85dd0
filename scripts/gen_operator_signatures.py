#!/usr/bin/env python3
"""Generate rules/dag_api/data/operator_signatures.json: the keyword arguments each operator accepts on
each target, through its base classes, read from the core wheel and the pinned provider wheels.

Covers every operator and sensor a 1.10 path leads to on the target (rules/imports/data/import_moves.json),
every class of the core operators/sensors packages, and every operator and sensor class of the
`operators`, `sensors` and `transfers` packages of every provider the target's constraints pin. A class whose chain cannot be followed
statically (a base outside the wheels, `**kwargs` passed somewhere else) is left out: unknown is
never reported.

    python scripts/gen_operator_signatures.py --wheels /tmp/wheels --constraints ../shared/reference/constraints
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import CONSTRAINTS, SOURCES, load_table, mwaa_versions, table_path  # noqa: E402
from consumed_args import callee_params, filtered_names, kwargs_splats, mutates  # noqa: E402
from gen_import_moves import Target  # noqa: E402
from wheelindex import Wheel, bindings, branch_imports, deprecated_classes, import_map, lazy_names, wheel_file  # noqa: E402

STOP = {"BaseOperator", "BaseSensorOperator", "object"}


def _loop_names(init: ast.FunctionDef) -> dict[str, list[str]]:
    """Loop variables over a literal tuple or list of strings: `for attr in ("endpoint", ...)`."""
    found: dict[str, list[str]] = {}
    for node in ast.walk(init):
        if (isinstance(node, ast.For) and isinstance(node.target, ast.Name) and isinstance(node.iter, (ast.Tuple, ast.List))
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.iter.elts)):
            found[node.target.id] = [e.value for e in node.iter.elts]  # type: ignore[attr-defined]
    return found


def _names_of(node: ast.expr, loops: dict[str, list[str]]) -> Optional[list[str]]:
    """The names a pop/del argument stands for: a string literal, or a loop variable over literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in loops:
        return loops[node.id]
    return None


def kwargs_use(init: ast.FunctionDef, cls: Optional[ast.ClassDef] = None) -> tuple[set[str], bool]:
    """What an `__init__` does with its `**kwargs` before BaseOperator sees them: the names it
    removes (`kwargs.pop("x")`, `del kwargs["x"]`, the same over a loop on literal names), and
    whether it consumes them in a way no list can say (filters them, removes names it computes,
    stores the dict, hands it to a helper that may remove names, or never passes it to its base
    class): then any argument may be taken before the unknown-argument check, and a DAG cannot be
    told it fails. `f(**kwargs)` to another callable takes nothing away: it gets a copy."""
    kw = init.args.kwarg.arg if init.args.kwarg else None
    if kw is None:
        return set(), False
    methods = {f.name: f for f in (cls.body if cls else []) if isinstance(f, ast.FunctionDef)}
    loops = _loop_names(init)
    removed: set[str] = set()
    accounted: set[int] = set()
    opaque = False
    reaches_base = False
    for node in ast.walk(init):
        if isinstance(node, ast.Call):
            to_base = isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"
            for keyword in node.keywords:
                if keyword.arg is None and isinstance(keyword.value, ast.Name) and keyword.value.id == kw:
                    accounted.add(id(keyword.value))
                    reaches_base = reaches_base or to_base
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == kw:
                accounted.add(id(func.value))
                names = _names_of(node.args[0], loops) if node.args else None
                if func.attr == "pop" and names is not None:
                    removed.update(names)
                elif func.attr == "update" or (func.attr in ("get", "setdefault") and names is not None):
                    pass  # adds or reads a name: it still reaches the base class
                else:
                    opaque = True  # items(), keys(), copy(), pop(name)...
            # `self._validate(kwargs)`: a helper of the class that only reads the dict
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
                helper = methods.get(func.attr)
                for position, arg in enumerate(node.args):
                    if isinstance(arg, ast.Name) and arg.id == kw and helper is not None:
                        params = [a.arg for a in helper.args.args][1:]
                        if position < len(params) and not mutates(helper, params[position]):
                            accounted.add(id(arg))
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == kw:
            accounted.add(id(node.value))
            if isinstance(node.ctx, ast.Del):
                names = _names_of(node.slice, loops)
                if names is not None:
                    removed.update(names)
                else:
                    opaque = True
        elif isinstance(node, ast.Compare) and any(isinstance(c, ast.Name) and c.id == kw for c in node.comparators):
            accounted.update(id(c) for c in node.comparators)  # `"x" in kwargs`: a test, nothing taken
    for node in ast.walk(init):
        if isinstance(node, ast.Name) and node.id == kw and id(node) not in accounted:
            opaque = True  # stored, iterated, passed to a helper that may take names out...
    return removed, opaque or not reaches_base


def _warns(body: list[ast.stmt]) -> bool:
    """Whether the statements call `warnings.warn(...)` / `warn(...)` (directly, not in a nested def)."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name == "warn":
                    return True
    return False


def deprecation_renames(init: ast.FunctionDef) -> dict[str, str]:
    """The renames an operator's own deprecation code performs, old -> new argument: a parameter
    (or `x = kwargs.pop("old", ...)`) tested by `if old:`, whose block warns and assigns it to
    another parameter (`gcp_conn_id = bigquery_conn_id`)."""
    params = {a.arg for a in init.args.posonlyargs + init.args.args + init.args.kwonlyargs}
    kw = init.args.kwarg.arg if init.args.kwarg else None
    popped: dict[str, str] = {}  # local variable -> the kwargs key it was popped from
    renames: dict[str, str] = {}
    for node in ast.walk(init):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr == "pop" and isinstance(node.value.func.value, ast.Name)
                and node.value.func.value.id == kw and node.value.args
                and isinstance(node.value.args[0], ast.Constant) and isinstance(node.value.args[0].value, str)):
            popped[node.targets[0].id] = node.value.args[0].value
    for node in ast.walk(init):
        # `request_filter = kwargs["filter"]` / `kwargs.get("filter")`: the old name read into a parameter
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in params):
            value = node.value
            key = None
            if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) and value.value.id == kw:
                key = value.slice
            elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "get"
                  and isinstance(value.func.value, ast.Name) and value.func.value.id == kw and value.args):
                key = value.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value != node.targets[0].id:
                renames.setdefault(key.value, node.targets[0].id)
        if not isinstance(node, ast.If) or not _warns(node.body):
            continue
        test = node.test
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.IsNot):
            test = test.left  # `if old is not None:`
        if not isinstance(test, ast.Name):
            continue
        old = popped.get(test.id, test.id if test.id in params else None)
        if old is None:
            continue
        for stmt in ast.walk(ast.Module(body=node.body, type_ignores=[])):
            if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                    and isinstance(stmt.value, ast.Name) and stmt.value.id == test.id
                    and stmt.targets[0].id in params and stmt.targets[0].id != old):
                renames[old] = stmt.targets[0].id
        if old not in renames:
            # `if bucket: warn(...)`, then `self.gcs_bucket = gcs_bucket or bucket` after the block
            for stmt in ast.walk(init):
                value = stmt.value if isinstance(stmt, ast.Assign) else None
                if (isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or) and len(value.values) == 2
                        and all(isinstance(v, ast.Name) for v in value.values)):
                    new, fallback = (v.id for v in value.values)  # type: ignore[attr-defined]
                    if fallback == test.id and new in params and new != old:
                        renames[old] = new
    return renames


# Where the operator hierarchy stops: the base classes' own __init__ is the whole signature
# (2.x core; 3.x task SDK, which the core classes subclass without an __init__).
BASES = ("airflow.models.baseoperator", "airflow.sensors.base", "airflow.sdk.bases.operator", "airflow.sdk.bases.sensor")


class Signatures:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.cache: dict[str, Optional[frozenset[str]]] = {}
        # Classes (by the path they were asked for) whose __init__, or a base's, consumes **kwargs
        # in a way no argument list can say (kwargs_use).
        self.open: set[str] = set()
        # Deprecation renames found in each class's own __init__, by the path it was asked for.
        self.renames: dict[str, dict[str, str]] = {}

    def accepted(self, module: str, name: str, depth: int = 0) -> Optional[frozenset[str]]:
        key = f"{module}.{name}"
        if key in self.cache:
            return self.cache[key]
        self.cache[key] = None  # cycle guard
        result = self._accepted(module, name, depth)
        self.cache[key] = result
        return result

    def _accepted(self, module: str, name: str, depth: int) -> Optional[frozenset[str]]:
        if depth > 12:
            return None
        wheel = self.target.wheel_for(module)
        tree = wheel.tree(module) if wheel else None
        if tree is None:  # a module only its package's `__deprecated_classes` table serves (3.3's baseoperator)
            parent, _, sub = module.rpartition(".")
            home = self.target.wheel_for(parent)
            table = deprecated_classes(home.tree(parent) or ast.Module(body=[], type_ignores=[])) if home else {}
            moved = table.get(sub, {}).get(name)
            return self.accepted(*moved.rsplit(".", 1), depth=depth + 1) if moved else None
        is_package = (wheel.module_file(module) or "").endswith("__init__.py")  # type: ignore[union-attr]
        bound = bindings(tree, module, is_package)
        if name not in bound and name in (lazy := lazy_names(tree, module)):  # airflow.models serves BaseOperator lazily
            src_module, src_name, _ = lazy[name]
            return self.accepted(src_module, src_name or name, depth + 1)
        defined = any(isinstance(n, ast.ClassDef) and n.name == name for n in tree.body)
        if name not in bound or bound[name] is None and not defined:  # (bound only under `if`: version branches)
            for candidate in [*branch_imports(tree, name), *import_map(tree).get(name, ())]:  # common.compat's
                got = self.accepted(candidate, name, depth + 1)
                if got is not None:
                    return got
        if name in bound and bound[name] is not None:
            src_module, src_name = bound[name]  # type: ignore[misc]
            if not src_module.startswith("airflow"):
                return None
            got = self.accepted(src_module, src_name, depth + 1)
            self._carry(f"{src_module}.{src_name}", f"{module}.{name}")
            return got
        node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)
        if node is None:
            return None
        if name in STOP and module in BASES and self._init_args(node)[0]:  # (3.x core: `__init__(**kwargs)`, passed on)
            return frozenset(self._init_args(node)[0] | (self.base_args() if name == "BaseSensorOperator" else set()))
        own, passes_kwargs, has_init = self._init_args(node)
        init_node = next((i for i in node.body if isinstance(i, ast.FunctionDef) and i.name == "__init__"), None)
        own |= self._own_init(f"{module}.{name}", node, init_node, passes_kwargs)
        if has_init and not passes_kwargs:
            return frozenset(own)
        inherited = self._inherited(module, name, node, bound, depth)
        return None if inherited is None else frozenset(own | inherited)

    def _inherited(self, module: str, name: str, node: ast.ClassDef, bound: dict, depth: int) -> Optional[set[str]]:
        """The arguments the class's bases take (None: a base the wheels cannot follow)."""
        inherited: set[str] = set()
        for base in node.bases:
            if isinstance(base, ast.Subscript):  # `AwsBaseOperator[EcsHook]`: the generic's class is the base
                base = base.value
            head = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
            if head is None or head not in bound:
                return None
            src_module, src_name = bound[head] if bound[head] is not None else (module, head)
            if not src_module.startswith("airflow"):
                if src_name in ("ABC", "Generic", "object", "LoggingMixin"):
                    continue
                return None
            got = self.accepted(src_module, src_name, depth + 1)
            if got is None:
                return None
            self._carry(f"{src_module}.{src_name}", f"{module}.{name}")
            inherited |= got
        return inherited

    def _own_init(self, key: str, node: ast.ClassDef, init: Optional[ast.FunctionDef], passes_kwargs: bool) -> set[str]:
        """The names the class's own __init__ takes out of **kwargs; records its renames and
        whether it consumes **kwargs opaquely."""
        if init is None:
            return set()
        found = deprecation_renames(init)
        if found:
            self.renames[key] = found
        if not passes_kwargs:
            return set()
        removed, opaque = kwargs_use(init, node)
        if opaque:
            self.open.add(key)
            # What it hands **kwargs to (DataprocCreateClusterOperator: ClusterGenerator(**kwargs))
            # takes those names: they are consumed, not unknown (other names stay a warning).
            module = key.rpartition(".")[0]
            for callee in kwargs_splats(init):
                removed |= callee_params(self.target, module, callee)
            removed |= filtered_names(self.target, module, node, init)
        return removed

    def _carry(self, base: str, key: str) -> None:
        """What a class inherits besides arguments: an opaque **kwargs, the deprecation renames."""
        if base in self.open:
            self.open.add(key)
        for old, new in self.renames.get(base, {}).items():
            self.renames.setdefault(key, {}).setdefault(old, new)

    def base_args(self) -> set[str]:
        sdk = self.target.core.has_module("airflow.sdk.bases.operator")  # Airflow 3: the task SDK's
        got = self.accepted("airflow.sdk.bases.operator" if sdk else "airflow.models.baseoperator", "BaseOperator")
        return set(got or ())

    @staticmethod
    def _init_args(node: ast.ClassDef) -> tuple[set[str], bool, bool]:
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                a = item.args
                names = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg != "self"}
                return names, a.kwarg is not None, True
        return set(), True, False


def _classes(target: Target, moves: dict, version: str) -> set[str]:
    """The classes whose signatures the table records on one target."""
    classes = {e["to"] for per in moves.values() if (e := per.get(version, {})).get("to")}
    homes = [(target.core, "airflow/operators/"), (target.core, "airflow/sensors/")]
    standard = target.wheel_for("airflow.providers.standard")
    if version.startswith("3.") and standard is not None:  # 3.x keeps the core operators there
        homes += [(standard, "airflow/providers/standard/operators/"), (standard, "airflow/providers/standard/sensors/")]
    for wheel, prefix in homes:
        classes |= _public_classes(wheel, prefix)
    # Every operator and sensor of every provider the target pins (not only where 1.10 paths
    # lead): a DAG written for 2.x passes provider operators arguments they do not take too.
    for dist in sorted(target.pins):
        if not dist.startswith("apache-airflow-providers-"):
            continue
        wheel = target.wheel_for("airflow.providers." + dist.removeprefix("apache-airflow-providers-").replace("-", "."))
        if wheel is not None:
            classes |= {c for c in _public_classes(wheel, "airflow/providers/")
                        if set(c.split(".")[:-1]) & {"operators", "sensors", "transfers"}}
    return classes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, required=True)
    parser.add_argument("--constraints", type=Path, default=CONSTRAINTS)
    parser.add_argument("--out", type=Path, default=table_path("operator_signatures"))
    args = parser.parse_args()
    versions = mwaa_versions()
    moves = load_table("import_moves", "moves")["moves"]
    out: dict[str, dict[str, list[str]]] = {}
    open_classes: dict[str, list[str]] = {}
    renames: dict[str, dict[str, str]] = {}
    for v in versions:
        version = v["airflow"]
        if version.startswith("1."):
            continue
        target = Target(version, v["python"], args.wheels, args.constraints)
        sigs = Signatures(target)
        classes = _classes(target, moves, version)
        table: dict[str, list[str]] = {}
        for dotted in sorted(classes):
            module, _, name = dotted.rpartition(".")
            if not name.endswith(("Operator", "Sensor")):
                continue
            got = sigs.accepted(module, name)
            if got:
                table[dotted] = sorted(got)
        out[version] = table
        open_classes[version] = sorted(c for c in table if c in sigs.open)
        for cls in table:
            for old, new in sigs.renames.get(cls, {}).items():
                renames.setdefault(cls, {}).setdefault(old, new)  # what any pinned version's deprecation code says
        print(f"{version}: {len(table)} operator signatures", file=sys.stderr)
    _history_renames(args.wheels, {cls for table in out.values() for cls in table}, renames)
    # Most classes take the same arguments on many targets: store each argument list once.
    sets: dict[tuple[str, ...], int] = {}
    compact: dict[str, dict[str, int]] = {}
    for version, table in out.items():
        compact[version] = {cls: sets.setdefault(tuple(a), len(sets)) for cls, a in table.items()}
    data = {
        "_provenance": {"generator": "scripts/gen_operator_signatures.py",
                        "from": "core and pinned provider wheels, see import_moves.json"},
        "arguments": [list(a) for a, _ in sorted(sets.items(), key=lambda kv: kv[1])],
        "targets": compact,
        # Classes whose __init__ (or a base's) takes arguments out of **kwargs itself: an argument
        # they do not declare may still be accepted, so it is a warning, not "the DAG fails".
        "consumes_kwargs": open_classes,
        # Old argument -> new, from the classes' own deprecation code in any pinned provider version
        # (a later version may have dropped the old name: the rename is still the fix).
        "argument_renames": {cls: dict(sorted(r.items())) for cls, r in sorted(renames.items())},
    }
    args.out.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n")


def _public_classes(wheel: Wheel, prefix: str) -> set[str]:
    found = set()
    for module in wheel.modules(prefix):
        tree = wheel.tree(module)
        for node in tree.body if tree is not None else []:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                found.add(f"{module}.{node.name}")
    return found


def _history_renames(wheels: Path, classes: set[str], renames: dict[str, dict[str, str]]) -> None:
    """Renames from the deprecation code of the provider releases between the pinned ones
    (scripts/sources/provider_history.json): a later pinned version that dropped the old argument
    (amazon's GCSToS3Operator `bucket`, renamed `gcs_bucket`) still gets its rename as a fix."""
    chosen = json.loads((SOURCES / "provider_history.json").read_text())["versions"]
    for dist, versions in sorted(chosen.items()):
        for version in versions:
            wheel = Wheel(wheel_file(wheels, dist, version))
            for module in wheel.modules("airflow/providers/"):
                tree = wheel.tree(module)
                for node in tree.body if tree is not None else []:
                    if not isinstance(node, ast.ClassDef) or f"{module}.{node.name}" not in classes:
                        continue
                    init = next((i for i in node.body if isinstance(i, ast.FunctionDef) and i.name == "__init__"), None)
                    for old, new in (deprecation_renames(init) if init is not None else {}).items():
                        renames.setdefault(f"{module}.{node.name}", {}).setdefault(old, new)


if __name__ == "__main__":
    main()
