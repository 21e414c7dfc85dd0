#!/usr/bin/env python3
"""Generate rules/dag_api/data/operator_signatures.json: the keyword arguments each operator accepts on
each target, through its base classes, read from the core wheel and the pinned provider wheels.

Covers every operator and sensor a 1.10 path leads to on the target (rules/imports/data/import_moves.json)
and every class of the core operators/sensors packages. A class whose chain cannot be followed
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

from _paths import CONSTRAINTS, load_table, mwaa_versions, table_path  # noqa: E402
from gen_import_moves import Target  # noqa: E402
from wheelindex import bindings, lazy_names  # noqa: E402

STOP = {"BaseOperator", "BaseSensorOperator", "object"}


class Signatures:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.cache: dict[str, Optional[frozenset[str]]] = {}

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
        if tree is None:
            return None
        is_package = (wheel.module_file(module) or "").endswith("__init__.py")  # type: ignore[union-attr]
        bound = bindings(tree, module, is_package)
        if name not in bound and name in (lazy := lazy_names(tree)):  # airflow.models serves BaseOperator lazily
            src_module, src_name, _ = lazy[name]
            return self.accepted(src_module, src_name or name, depth + 1)
        if name in bound and bound[name] is not None:
            src_module, src_name = bound[name]  # type: ignore[misc]
            return self.accepted(src_module, src_name, depth + 1) if src_module.startswith("airflow") else None
        node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)
        if node is None:
            return None
        if name in STOP and module in ("airflow.models.baseoperator", "airflow.sensors.base"):
            return frozenset(self._init_args(node)[0] | (self.base_args() if name == "BaseSensorOperator" else set()))
        init = self._init_args(node)
        own, passes_kwargs, has_init = init
        if has_init and not passes_kwargs:
            return frozenset(own)
        inherited: set[str] = set()
        for base in node.bases:
            dotted = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
            if dotted is None:
                return None
            head = dotted
            if head in bound and bound[head] is not None:
                src_module, src_name = bound[head]  # type: ignore[misc]
            elif head in bound:
                src_module, src_name = module, head
            else:
                return None
            if not src_module.startswith("airflow"):
                if src_name in ("ABC", "Generic", "object", "LoggingMixin"):
                    continue
                return None
            got = self.accepted(src_module, src_name, depth + 1)
            if got is None:
                return None
            inherited |= got
        return frozenset(own | inherited)

    def base_args(self) -> set[str]:
        got = self.accepted("airflow.models.baseoperator", "BaseOperator")
        return set(got or ())

    @staticmethod
    def _init_args(node: ast.ClassDef) -> tuple[set[str], bool, bool]:
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                a = item.args
                names = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg != "self"}
                return names, a.kwarg is not None, True
        return set(), True, False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, required=True)
    parser.add_argument("--constraints", type=Path, default=CONSTRAINTS)
    parser.add_argument("--out", type=Path, default=table_path("operator_signatures"))
    args = parser.parse_args()
    versions = mwaa_versions()
    moves = load_table("import_moves", "moves")["moves"]
    out: dict[str, dict[str, list[str]]] = {}
    for v in versions:
        version = v["airflow"]
        if not version.startswith("2."):
            continue
        target = Target(version, v["python"], args.wheels, args.constraints)
        sigs = Signatures(target)
        classes = {e["to"] for per in moves.values() if (e := per.get(version, {})).get("to")}
        for module in target.core.modules("airflow/operators/") + target.core.modules("airflow/sensors/"):
            tree = target.core.tree(module)
            for node in tree.body if tree is not None else []:
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                    classes.add(f"{module}.{node.name}")
        table: dict[str, list[str]] = {}
        for dotted in sorted(classes):
            module, _, name = dotted.rpartition(".")
            if not name.endswith(("Operator", "Sensor")):
                continue
            got = sigs.accepted(module, name)
            if got:
                table[dotted] = sorted(got)
        out[version] = table
        print(f"{version}: {len(table)} operator signatures", file=sys.stderr)
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
    }
    args.out.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
