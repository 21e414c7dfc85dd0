#!/usr/bin/env python3
"""Generate rules/dag_api/data/dag_api.json: the DAG/operator API facts the DS5xx rules gate on, per target.

Every fact is read from the target's wheels (zipfile + ast, never imported): apache-airflow on 2.x;
apache-airflow-core + apache-airflow-task-sdk on 3.x, with the apache-airflow-providers-standard
version the target's constraint file pins (where 3.x keeps PythonOperator):
  - which DAG arguments exist (`schedule`, `max_active_tasks`; Airflow 3's attrs DAG: its fields);
  - where EmptyOperator imports without a warning (`airflow.operators.empty`, or on 3.x the shim's
    destination in the standard provider);
  - the DAG's default schedule and `[scheduler] catchup_by_default` (3.0 changed both);
  - the template-context keys, and those an Airflow 3 target no longer has (with 2.x's replacements);
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

import yaml  # noqa: E402
from _paths import CONSTRAINTS, SOURCES, generator_args, mwaa_versions  # noqa: E402
from wheelindex import Wheel, airflow_wheel, class_init_args, deprecated_classes, read_constraints, wheel_file  # noqa: E402

RENAMES: dict[str, str] = json.loads((SOURCES / "airflow3_renames.json").read_text())["dag_args"]


def cls(tree: Optional[ast.Module], name: str) -> Optional[ast.ClassDef]:
    if tree is None:
        return None
    return next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)


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


def context_keys(wheel: Wheel) -> list[str]:
    """Every template-context key: 2.x's KNOWN_CONTEXT_KEYS literal, 3.x's Context TypedDict."""
    sdk = cls(wheel.tree("airflow.sdk.definitions.context"), "Context")
    if sdk is not None:
        return sorted(n.target.id for n in sdk.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name))
    tree = wheel.tree("airflow.utils.context")
    for node in tree.body if tree is not None else []:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "KNOWN_CONTEXT_KEYS" and node.value:
            return sorted(ast.literal_eval(node.value))
    return []


def empty_operator(wheel: Wheel) -> Optional[str]:
    """The module EmptyOperator imports from without a warning on this target."""
    if wheel.has_module("airflow.operators.empty"):
        return "airflow.operators.empty"
    operators = wheel.tree("airflow.operators")
    moved = deprecated_classes(operators).get("empty", {}).get("EmptyOperator") if operators else None
    return moved.rpartition(".")[0] if moved else None


def schedule_default(wheel: Wheel) -> Optional[str]:
    """What a DAG with no schedule argument runs on: 2.x's DEFAULT_SCHEDULE_INTERVAL (one day after
    another from the start date, `timedelta(days=1)`: not `"@daily"`, which runs at midnight);
    3.x's attrs field default (None: never scheduled)."""
    sdk = cls(wheel.tree("airflow.sdk.definitions.dag"), "DAG")
    if sdk is not None:
        for node in sdk.body:
            if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "schedule" and isinstance(node.value, ast.Call):
                default = next((k.value for k in node.value.keywords if k.arg == "default"), None)
                return None if default is None else ast.literal_eval(default)
    tree = wheel.tree("airflow.models.dag")
    dag = cls(tree, "DAG")
    init = next((n for n in dag.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None) if dag else None
    texts = [ast.unparse(n) for n in tree.body if isinstance(n, ast.Assign)] if tree else []
    if init is not None:  # 2.0-2.3: `schedule_interval=timedelta(days=1)` in the signature itself
        a = init.args
        texts += [f"{x.arg} = {ast.unparse(d)}" for x, d in zip(a.args[len(a.args) - len(a.defaults):], a.defaults)]
    daily = any(t.startswith(("DEFAULT_SCHEDULE_INTERVAL = ", "schedule_interval = ")) and t.endswith("timedelta(days=1)") for t in texts)
    return "timedelta(days=1)" if daily else None


def _warning_text(node: ast.AST) -> Optional[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and getattr(sub.func, "attr", getattr(sub.func, "id", "")) == "warn" and sub.args:
            text = sub.args[0]
            if isinstance(text, ast.Constant) and isinstance(text.value, str):
                return text.value
            if isinstance(text, ast.JoinedStr):
                return "".join(v.value for v in text.values if isinstance(v, ast.Constant))
    return None


def warned_arguments(wheel: Wheel) -> dict[str, dict[str, str]]:
    """Arguments Airflow 3 takes only to warn (the SLA ones do nothing; `email` is deprecated): a
    DAG attrs field whose `@field.validator` warns, a BaseOperator parameter whose `if x is not
    None:` block warns; each with the warning's own text. {"dag": {...}, "operator": {...}}."""
    found: dict[str, dict[str, str]] = {"dag": {}, "operator": {}}
    dag = cls(wheel.tree("airflow.sdk.definitions.dag"), "DAG")
    for node in dag.body if dag is not None else []:
        text = _warning_text(node) if isinstance(node, ast.FunctionDef) else None
        for deco in node.decorator_list if text else []:
            if isinstance(deco, ast.Attribute) and deco.attr == "validator" and isinstance(deco.value, ast.Name):
                found["dag"][deco.value.id] = text
    op = cls(wheel.tree("airflow.sdk.bases.operator"), "BaseOperator")
    init = next((n for n in op.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None) if op else None
    params = {a.arg for a in init.args.args + init.args.kwonlyargs} if init else set()
    for node in ast.walk(init) if init is not None else []:
        test = node.test if isinstance(node, ast.If) else None
        if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id in params \
                and isinstance(test.ops[0], ast.IsNot):
            text = _warning_text(ast.Module(body=node.body, type_ignores=[]))
            if text:
                found["operator"][test.left.id] = text
    return {k: dict(sorted(v.items())) for k, v in found.items()}


def catchup_default(wheel: Wheel) -> bool:
    config = yaml.safe_load(wheel.read("airflow/config_templates/config.yml"))
    if isinstance(config, list):  # 2.0-2.5: a list of sections, each a list of options
        section = next(s for s in config if s["name"] == "scheduler")
        option = next(o for o in section["options"] if o["name"] == "catchup_by_default")
    else:
        option = config["scheduler"]["options"]["catchup_by_default"]
    return str(option["default"]) == "True"


def trigger_rules(wheel: Wheel) -> dict[str, str]:
    """TriggerRule's members, NAME -> value (airflow/utils/trigger_rule.py; 3.3: airflow/task/)."""
    for module in ("airflow.utils.trigger_rule", "airflow.task.trigger_rule"):
        enum = cls(wheel.tree(module), "TriggerRule")
        if enum is not None:
            return {t.id: n.value.value for n in enum.body if isinstance(n, ast.Assign) and len(n.targets) == 1
                    and isinstance((t := n.targets[0]), ast.Name) and isinstance(n.value, ast.Constant)}
    return {}


def trigger_rule_renames(wheel: Wheel, members: dict[str, str]) -> dict[str, str]:
    """The trigger rules BaseOperator's own code renames with a warning (2.x: `if trigger_rule ==
    "dummy": warn(...); trigger_rule = TriggerRule.ALWAYS`): old value -> new value."""
    base = cls(wheel.tree("airflow.models.baseoperator"), "BaseOperator")
    init = next((n for n in base.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None) if base else None
    found: dict[str, str] = {}
    for node in ast.walk(init) if init is not None else ():
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
                and isinstance(node.test.left, ast.Name) and node.test.left.id == "trigger_rule"
                and isinstance(node.test.comparators[0], ast.Constant)):
            continue
        for stmt in node.body:
            if (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Attribute)
                    and stmt.value.attr in members and warns(node)):
                found[node.test.comparators[0].value] = members[stmt.value.attr]
    return found


def facts(wheel: Wheel, standard: Optional[Wheel]) -> dict:
    sdk_dag = wheel.has_module("airflow.sdk.definitions.dag")
    dag_args = class_init_args(wheel, "airflow.sdk.definitions.dag" if sdk_dag else "airflow.models.dag", "DAG") or []
    python_home = standard if standard is not None and not wheel.has_module("airflow.operators.python") else wheel
    python_module = "airflow.providers.standard.operators.python" if python_home is standard else "airflow.operators.python"
    python = python_home.tree(python_module)
    py_op = cls(python, "PythonOperator")
    subdag = cls(wheel.tree("airflow.operators.subdag"), "SubDagOperator")
    # Operator signatures (BaseOperator's, BashOperator's...) are not repeated here: they are in
    # operator_args.json and operator_signatures.json, one table each.
    return {
        "dag_args": sorted(dag_args),
        "empty_operator": empty_operator(wheel),
        "days_ago_deprecated": warns(function(wheel.tree("airflow.utils.dates"), "days_ago")),
        "subdag_deprecated": warns(subdag),
        "context_deprecations": context_deprecations(wheel),
        "context_keys": context_keys(wheel),
        "python_family": python_family(python),
        "provide_context_popped": py_op is not None and "provide_context" in ast.dump(py_op),
        "configuration_deprecated": deprecated_module_functions(wheel.tree("airflow.configuration")),
        # Gone from this target altogether (Airflow 3): the import fails; the rules that advise on
        # each report it as an error instead of a deprecation.
        "days_ago_removed": function(wheel.tree("airflow.utils.dates"), "days_ago") is None,
        "subdag_removed": not wheel.has_module("airflow.operators.subdag"),
        "dummy_removed": not wheel.has_module("airflow.operators.dummy") and "dummy" not in deprecated_classes(
            wheel.tree("airflow.operators") or ast.Module(body=[], type_ignores=[])),
        "schedule_default": schedule_default(wheel),
        "warned_arguments": warned_arguments(wheel),
        "catchup_default": catchup_default(wheel),
        "trigger_rules": sorted(trigger_rules(wheel).values()),
        "trigger_rule_renames": trigger_rule_renames(wheel, trigger_rules(wheel)),
    }


def main() -> None:
    args = generator_args(__doc__, "dag_api")
    out, provenance = {}, {}
    last2: Optional[dict] = None
    for version in (v for v in mwaa_versions() if not v["airflow"].startswith("1.")):
        wheel = airflow_wheel(args.wheels, version["airflow"])
        provenance[version["airflow"]] = wheel.provenance()
        standard = None
        if version["airflow"].startswith("3."):
            pins = read_constraints(CONSTRAINTS / f"constraints-{version['airflow']}-{version['python']}.txt")
            standard = Wheel(wheel_file(args.wheels, "apache-airflow-providers-standard", pins["apache-airflow-providers-standard"]))
            provenance[version["airflow"]]["standard"] = standard.provenance()
        found = facts(wheel, standard)
        # The keys the newest 2.x had that this 3.x target has not, with 2.x's own advice for each.
        found["context_removed"] = {} if last2 is None or version["airflow"].startswith("2.") else {
            key: last2["context_deprecations"].get(key, []) for key in last2["context_keys"] if key not in found["context_keys"]}
        # DAG arguments the newest 2.x took and this target does not: each one's successor, where
        # the release notes name one the target takes (scripts/sources/airflow3_renames.json).
        found["dag_args_removed"] = {} if last2 is None or version["airflow"].startswith("2.") else {
            arg: RENAMES.get(arg) if RENAMES.get(arg) in found["dag_args"] else None
            for arg in last2["dag_args"] if arg not in found["dag_args"]}
        # Defaults this target changed from the newest 2.x (a DAG that leaves them out behaves otherwise).
        found["changed_defaults"] = {} if last2 is None or version["airflow"].startswith("2.") else {
            arg: last2[f"{arg}_default"] for arg in ("schedule", "catchup") if last2[f"{arg}_default"] != found[f"{arg}_default"]}
        # Trigger rules the newest 2.x renamed with a warning and this target no longer has: the
        # DAG fails ("The trigger_rule must be one of ..."); 2.x's own successor for each.
        found["trigger_rules_removed"] = {} if last2 is None or version["airflow"].startswith("2.") else {
            old: new for old, new in last2["trigger_rule_renames"].items()
            if old not in found["trigger_rules"] and new in found["trigger_rules"]}
        # Task code runs through the Task Execution API, without a metadata-database connection.
        found["task_sdk_runtime"] = wheel.has_module("airflow.sdk.execution_time.task_runner")
        if version["airflow"].startswith("2."):
            last2 = found
        out[version["airflow"]] = found
    data = {"_provenance": {"generator": "scripts/gen_dag_api.py", "wheels": provenance}, "targets": out}
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} targets to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
