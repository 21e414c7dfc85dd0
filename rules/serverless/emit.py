"""One DAG of the static model as the dag-factory YAML MWAA Serverless takes (engine 1: dag-factory
1.0.1), written deterministically: keys in the order the file gives them, strings double-quoted.

Arguments the service ignores (DS607) are left out and listed; an argument whose value the file
computes, a task made in a loop, or a callable that is not a module-level function stops the
conversion with the reason (`Unconvertible`).
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

import libcst as cst

from dagshift.rules.serverless.analysis import DAG_DATES, RENAMED, SCHEDULE_ARGS
from dagshift.rules.serverless.model import Dag, FileModel
from dagshift.rules.serverless.values import Callable, Datetime, Duration, NotLiteral, value

# Where an allow-listed class lives on engine 1's Airflow (the standard provider, not the 2.x shims).
CANONICAL = {"PythonOperator": "airflow.providers.standard.operators.python.PythonOperator",
             "BashOperator": "airflow.providers.standard.operators.bash.BashOperator",
             "EmptyOperator": "airflow.providers.standard.operators.empty.EmptyOperator"}
NOT_TASK_ARGS = ("task_id", "dag")
NOT_DAG_ARGS = ("dag_id",)
# Plain scalars YAML 1.1 (PyYAML, dag-factory's reader) would read as booleans or null.
RESERVED = ("true", "false", "yes", "no", "on", "off", "null", "y", "n", "~")


class Unconvertible(ValueError):
    """Why dagshift cannot write this DAG's definition statically."""


def canonical(path: str, operators: list[str]) -> str:
    name = path.rsplit(".", 1)[-1]
    name = RENAMED.get(name, name)
    if name in CANONICAL:
        return CANONICAL[name]
    if path in operators:
        return path
    return next((op for op in operators if op.rsplit(".", 1)[-1] == name), path)


def plain(found: Any, module: str) -> Any:
    """A value as YAML data: durations and dates in dag-factory's forms, callables as module.name."""
    if isinstance(found, Duration):
        seconds = int(found.seconds) if float(found.seconds).is_integer() else found.seconds
        return {"__type__": "datetime.timedelta", "seconds": seconds}
    if isinstance(found, Datetime):
        y, m, d, *rest = found.fields + (0,) * (6 - len(found.fields))
        return f"{y:04d}-{m:02d}-{d:02d}" + (f"T{rest[0]:02d}:{rest[1]:02d}:{rest[2]:02d}" if any(rest) else "")
    if isinstance(found, Callable):
        return f"{module}.{found.name}"
    if isinstance(found, list):
        return [plain(v, module) for v in found]
    if isinstance(found, dict):
        return {k: plain(v, module) for k, v in found.items()}
    return found


def imported_callable(name: str, node: cst.BaseExpression, model: FileModel) -> Optional[str]:
    """`python_callable=f` where the file imports `f` from a module of its own: 'pkg.mod.f'."""
    if not name.endswith("callable") or not isinstance(node, cst.Name):
        return None
    path = model.imports.resolve(node.value)
    if path is None or path == node.value or path.startswith(("airflow.", ".")) or "." not in path:
        return None
    return path


def _value(name: str, node: cst.BaseExpression, model: FileModel, module: str) -> Any:
    try:
        found = value(node, model)
    except NotLiteral as exc:
        path = imported_callable(name, node, model)
        if path is not None:
            return path
        raise Unconvertible(f"`{name}=` is computed ({exc}): dagshift writes literal values only") from None
    if isinstance(found, Datetime) and found.tz != "UTC":
        raise Unconvertible(f"`{name}=` has the time zone {found.tz}: dagshift writes UTC dates only")
    return plain(found, module)


def dag_definition(dag: Dag, model: FileModel, facts: dict[str, Any], module: str) -> tuple[dict[str, Any], list[str]]:
    """The definition ({dag_id: {...}}) and the arguments left out because the service ignores them."""
    if dag.dag_id is None:
        raise Unconvertible("the DAG id is computed: dagshift writes literal values only")
    body: dict[str, Any] = {"dag_id": dag.dag_id}
    dropped: list[str] = []
    for name, arg in dag.kwargs().items():
        if name in NOT_DAG_ARGS:
            continue
        if name in facts["dag_ignored"]:
            dropped.append(f"{dag.dag_id}: {name}")
            continue
        if name in SCHEDULE_ARGS:
            body["schedule"] = _schedule(arg.value, model, module)
            continue
        found = _value(name, arg.value, model, module)
        if name == "default_args":
            found = {k: v for k, v in found.items() if k in DAG_DATES or not _ignored_default(k, facts, dropped, dag)}
        body[name] = found
    body.setdefault("schedule", None)
    body["tasks"] = _tasks(dag, model, facts, module, dropped)
    return {dag.dag_id: body}, dropped


def _ignored_default(key: str, facts: dict[str, Any], dropped: list[str], dag: Dag) -> bool:
    if key in facts["task_ignored"] or key in facts["dag_ignored"]:
        dropped.append(f"{dag.dag_id}: default_args.{key}")
        return True
    return False


def _schedule(node: cst.BaseExpression, model: FileModel, module: str) -> Any:
    """A cron string or None; a cron timetable's expression (in UTC: the service's time zone)."""
    if isinstance(node, cst.Call) and node.args and node.args[0].keyword is None:  # CronTriggerTimetable("0 6 * * *")
        zone = next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "timezone"), None)
        if zone is not None and _value("timezone", zone, model, module) != "UTC":
            raise Unconvertible("the cron timetable has a time zone other than UTC: dagshift writes UTC schedules only")
        return _value("schedule", node.args[0].value, model, module)
    return _value("schedule", node, model, module)


def _tasks(dag: Dag, model: FileModel, facts: dict[str, Any], module: str, dropped: list[str]) -> dict[str, Any]:
    tasks: dict[str, Any] = {}
    for task in dag.tasks:
        if task.dynamic or task.task_id is None:
            raise Unconvertible(f"`{task.operator.rsplit('.', 1)[-1]}(...)` is called in a loop or a helper "
                                "function, or its task_id is computed: dagshift writes one task per call")
        entry: dict[str, Any] = {"operator": canonical(task.operator, facts["operators"])}
        for name, arg in task.kwargs().items():
            if name in NOT_TASK_ARGS:
                continue
            if name in facts["task_ignored"]:
                dropped.append(f"{dag.dag_id}.{task.task_id}: {name}")
                continue
            entry[name] = _value(name, arg.value, model, module)
        upstream = [up.task_id for up, down in dag.edges if down is task and up.task_id is not None]
        if upstream:
            entry["dependencies"] = upstream
        tasks[task.task_id] = entry
    return tasks


def callables(dag: Dag, model: FileModel) -> tuple[list[str], list[str]]:
    """The module-level functions the DAG's tasks call (python_callable and the like), and the
    modules of the callables the file imports ('pkg.mod' for `from pkg.mod import f`)."""
    names: list[str] = []
    modules: list[str] = []
    for task in dag.tasks:
        for key, arg in task.kwargs().items():
            if isinstance(arg.value, cst.Name) and arg.value.value in model.functions and arg.value.value not in names:
                names.append(arg.value.value)
            path = imported_callable(key, arg.value, model)
            if path is not None and path.rsplit(".", 1)[0] not in modules:
                modules.append(path.rsplit(".", 1)[0])
    return names, modules


def _key(key: str) -> str:
    plain_key = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", key) and key.lower() not in RESERVED
    return key if plain_key else json.dumps(key)


def to_yaml(data: Any, indent: int = 0) -> str:
    """Block-style YAML of dicts, lists and scalars; scalars in JSON form (valid YAML flow scalars)."""
    pad = "  " * indent
    if isinstance(data, dict):
        if not data:
            return "{}\n"
        out = []
        for key, val in data.items():
            if isinstance(val, (dict, list)) and val:
                out.append(f"{pad}{_key(key)}:\n{to_yaml(val, indent + 1)}")
            else:
                out.append(f"{pad}{_key(key)}: {to_yaml(val, 0)}")
        return "".join(out)
    if isinstance(data, list):
        if not data:
            return "[]\n"
        out = []
        for val in data:
            if isinstance(val, (dict, list)) and val:
                inner = to_yaml(val, indent + 1).lstrip()
                out.append(f"{pad}- {inner}")
            else:
                out.append(f"{pad}- {to_yaml(val, 0)}")
        return "".join(out)
    return json.dumps(data) + "\n"
