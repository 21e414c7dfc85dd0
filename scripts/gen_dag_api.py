#!/usr/bin/env python3
"""Generate rules/dag_api/data/dag_api.json: the DAG/operator API facts DS501-DS511 gate on, per target.

Every fact is read from the target's apache-airflow wheel (zipfile + ast, never imported):
  - which DAG / BaseOperator arguments exist (`schedule`, `max_active_tasks`, `max_active_tis_per_dag`);
  - whether `airflow/operators/empty.py` exists (EmptyOperator);
  - whether `days_ago`, `SubDagOperator`, module-level `airflow.configuration` helpers warn;
  - the deprecated template-context keys and their replacements;
  - PythonOperator and the classes deriving from it, and whether it pops `provide_context`;
  - the arguments of BashOperator and TriggerDagRunOperator.

    python scripts/gen_dag_api.py --wheels /tmp/wheels
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import airflow2_targets, generator_args  # noqa: E402
from wheelindex import Wheel, wheel_file  # noqa: E402


def cls(tree: Optional[ast.Module], name: str) -> Optional[ast.ClassDef]:
    if tree is None:
        return None
    return next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)


def init_args(node: Optional[ast.ClassDef]) -> list[str]:
    if node is None:
        return []
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            a = item.args
            return [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg != "self"]
    return []


def warns(node: Optional[ast.AST]) -> bool:
    if node is None:
        return False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "warn":
                return True
    return False


def function(tree: Optional[ast.Module], name: str) -> Optional[ast.FunctionDef]:
    if tree is None:
        return None
    return next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)


def context_deprecations(wheel: Wheel) -> dict[str, list[str]]:
    ctx = wheel.tree("airflow.utils.context")
    holder = cls(ctx, "Context")
    if holder is not None:  # 2.3+: a literal table on the Context class
        for item in holder.body:
            target = item.target if isinstance(item, ast.AnnAssign) else (item.targets[0] if isinstance(item, ast.Assign) else None)
            if isinstance(target, ast.Name) and target.id == "_DEPRECATION_REPLACEMENTS" and item.value is not None:
                return ast.literal_eval(item.value)
    found: dict[str, list[str]] = {}
    ti = wheel.tree("airflow.models.taskinstance")
    for node in ast.walk(ti) if ti is not None else []:  # 2.2: deprecated_proxy(..., key=, replacements=)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "deprecated_proxy":
            kw = {k.arg: k.value for k in node.keywords}
            if "key" in kw:
                key = ast.literal_eval(kw["key"])
                found[key] = ast.literal_eval(kw["replacements"]) if "replacements" in kw else []
    return found


def python_family(tree: Optional[ast.Module]) -> list[str]:
    """PythonOperator and every class of operators/python.py that derives from it."""
    if tree is None:
        return []
    bases = {n.name: [getattr(b, "id", getattr(b, "attr", "")) for b in n.bases] for n in tree.body if isinstance(n, ast.ClassDef)}
    family = {"PythonOperator"}
    changed = True
    while changed:
        changed = False
        for name, parents in bases.items():
            if name not in family and any(p in family for p in parents):
                family.add(name)
                changed = True
    return sorted(family & set(bases) | {"PythonOperator"})


def deprecated_module_functions(tree: Optional[ast.Module]) -> list[str]:
    if tree is None:
        return []
    return sorted(n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_") and warns(n))


def facts(wheel: Wheel) -> dict:
    dag = cls(wheel.tree("airflow.models.dag"), "DAG")
    python = wheel.tree("airflow.operators.python")
    py_op = cls(python, "PythonOperator")
    subdag = cls(wheel.tree("airflow.operators.subdag"), "SubDagOperator")
    # Operator signatures (BaseOperator's, BashOperator's...) are not repeated here: they are in
    # operator_args.json and operator_signatures.json, one table each.
    return {
        "dag_args": sorted(init_args(dag)),
        "empty_operator": wheel.has_module("airflow.operators.empty"),
        "days_ago_deprecated": warns(function(wheel.tree("airflow.utils.dates"), "days_ago")),
        "subdag_deprecated": warns(subdag),
        "context_deprecations": context_deprecations(wheel),
        "python_family": python_family(python),
        "provide_context_popped": py_op is not None and "provide_context" in ast.dump(py_op),
        "configuration_deprecated": deprecated_module_functions(wheel.tree("airflow.configuration")),
    }


def main() -> None:
    args = generator_args(__doc__, "dag_api")
    out, provenance = {}, {}
    for version in airflow2_targets():
        wheel = Wheel(wheel_file(args.wheels, "apache-airflow", version))
        provenance[version] = {"wheel": wheel.path.name, "sha256": wheel.sha256}
        out[version] = facts(wheel)
    data = {"_provenance": {"generator": "scripts/gen_dag_api.py", "wheels": provenance}, "targets": out}
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} targets to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
