"""The MWAA Serverless family's one pass over a Python DAG file: why a DAG cannot run there, and
which of its arguments the service silently ignores (facts: data/serverless_engine.json)."""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from dagshift.linter.findings import Finding, once_per_file
from dagshift.linter.rule import ERROR, WARNING
from dagshift.linter.tables import load_table
from dagshift.rules.serverless.model import Dag, FileModel, Task, literal_str, read
from dagshift.rules.serverless.values import NotLiteral, value

SCHEDULE_ARGS = ("schedule", "schedule_interval", "timetable")
CRON_PRESETS = ("@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly", "@annually", "@midnight")
CRON_TIMETABLES = ("CronTriggerTimetable", "CronDataIntervalTimetable")
DATASETS = ("Dataset", "Asset", "DatasetAlias", "AssetAlias", "AssetAny", "AssetAll", "DatasetAny", "DatasetAll")
# Classes the DAG API rules rename to one of the list (DS503: DummyOperator -> EmptyOperator).
RENAMED = {"DummyOperator": "EmptyOperator"}
# Honoured in default_args as the DAG's own dates: not a task's ignored start_date/end_date.
DAG_DATES = ("start_date", "end_date")


def engine_facts(platform: str) -> dict[str, Any]:
    """The facts of 'serverless-N' (the newest engine for anything else)."""
    engines = load_table("serverless_engine", "engines")["engines"]
    engine = platform.partition("-")[2]
    return engines[engine if engine in engines else max(engines, key=int)]


def engine_name(platform: str) -> str:
    return f"MWAA Serverless engine {platform.partition('-')[2] or '1'}"


def allowed(path: str, facts: dict[str, Any]) -> bool:
    """On the allow-list, or a class of the list under an older path (the import rules move it)."""
    if path in facts["operators"]:
        return True
    name = path.rsplit(".", 1)[-1]
    name = RENAMED.get(name, name)
    return path.startswith("airflow.") and any(op.rsplit(".", 1)[-1] == name for op in facts["operators"])


def analyse(ctx: Any) -> list[Finding]:
    return once_per_file(ctx, "serverless", _analyse)


def _analyse(ctx: Any) -> list[Finding]:
    model = read(ctx.module, ctx.imports)
    if not model.dags and not model.tasks:
        return []
    platform = ctx.settings.platform
    facts, where = engine_facts(platform), engine_name(platform)
    found: list[Finding] = []
    for task in model.tasks:
        found += _operator(task, facts, where)
        found += _task_args(task.kwargs(), model, facts)
    for deco, path in model.taskflow:
        shown = path.replace("airflow.decorators.", "").replace("airflow.sdk.", "")
        code = "DS603" if shown.endswith("branch") else "DS602"
        found.append(Finding(code, deco.decorator, f"`@{shown}` makes a TaskFlow task, which {where} does not run: "
                             "rewrite it as a PythonOperator whose python_callable is a module-level function"
                             if code == "DS602" else
                             f"`@{shown}` branches, which {where} does not support: the workflow is refused "
                             "(keep the control flow linear)", ERROR))
    for call in model.mapped:
        attr = call.func.attr.value if isinstance(call.func, cst.Attribute) else "expand"
        found.append(Finding("DS604", call.func, f"dynamic task mapping (`.{attr}()`) is not supported on {where}: "
                             "the workflow is refused", ERROR))
    for dag in model.dags:
        found += _dag_args(dag, model, facts, where)
    return found


def operator_verdict(path: str, facts: dict[str, Any], where: str) -> Optional[tuple[str, str]]:
    """(code, message) for a task of class `path` the service refuses; None for one of its list.
    Shared by Python DAGs and dag-factory YAML workflows (yaml_workflows.py)."""
    name = path.rsplit(".", 1)[-1]
    if allowed(path, facts):
        return None
    if name == "SubDagOperator":
        return "DS608", (f"SubDagOperator is not supported on {where}: the workflow is refused (move the sub-DAG's "
                         "tasks into this DAG, or make it a workflow of its own)")
    if name.startswith("Branch") or name.endswith("BranchOperator"):
        return "DS603", f"`{name}` branches, which {where} does not support: the workflow is refused (keep the control flow linear)"
    return "DS601", (f"`{name}` is not on {where}'s operator allow-list: the workflow is refused (use an AWS operator "
                     "of the list, or a PythonOperator/BashOperator)")


def _operator(task: Task, facts: dict[str, Any], where: str) -> list[Finding]:
    verdict = operator_verdict(task.operator, facts, where)
    return [Finding(verdict[0], task.call.func, verdict[1], ERROR)] if verdict else []


def _range(arg: str, node: cst.BaseExpression, model: FileModel, facts: dict[str, Any]) -> Optional[str]:
    try:
        found = value(node, model)
    except NotLiteral:
        return None
    return range_message(arg, getattr(found, "seconds", found), facts)


def range_message(arg: str, amount: Any, facts: dict[str, Any]) -> Optional[str]:
    """DS606's message when `amount` (a number; seconds for a duration) is outside the service's range."""
    low, high = facts["task_limits"][arg]
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or low <= amount <= high:
        return None
    shown = f"{arg}={amount}" if arg == "retries" else f"{arg} of {amount:g} seconds"
    unit = "" if arg == "retries" else " seconds"
    return f"`{shown}` is out of MWAA Serverless's range ({low} to {high}{unit}): the workflow is refused"


def _task_args(args: dict[str, cst.Arg], model: FileModel, facts: dict[str, Any]) -> list[Finding]:
    found = []
    for name, arg in args.items():
        if name in facts["task_limits"]:
            message = _range(name, arg.value, model, facts)
            if message:
                found.append(Finding("DS606", arg, message, ERROR))
        elif name in facts["task_ignored"] and not _default_true(name, arg.value):
            found.append(_ignored(name, arg, facts["task_ignored"][name]))
    return found


def _default_true(name: str, node: cst.BaseExpression) -> bool:
    """`do_xcom_push=True` says what the service does anyway."""
    return name == "do_xcom_push" and isinstance(node, cst.Name) and node.value == "True"


def ignored_message(name: str, what: str) -> str:
    return f"MWAA Serverless silently ignores `{name}`, so this stops working: {what}"


def _ignored(name: str, node: cst.CSTNode, what: str) -> Finding:
    return Finding("DS607", node, ignored_message(name, what), WARNING)


def _dag_args(dag: Dag, model: FileModel, facts: dict[str, Any], where: str) -> list[Finding]:
    found = []
    for name, arg in dag.kwargs().items():
        if name in SCHEDULE_ARGS:
            found += _schedule(arg.value, model, where)
        elif name == "default_args":
            found += _default_args(arg.value, model, facts, where)
        elif name in facts["dag_ignored"]:
            found.append(_ignored(name, arg, facts["dag_ignored"][name]))
    return found


def _schedule(node: cst.BaseExpression, model: FileModel, where: str) -> list[Finding]:
    at = node  # reported at the argument, judged by what it names (SCHEDULE = ... above)
    if isinstance(node, cst.Name) and node.value in model.constants:
        node = model.constants[node.value]
    text = literal_str(node)
    if text is not None:
        warned = preset_message(text, where)
        return [Finding("DS605", at, warned, WARNING)] if warned else []
    if isinstance(node, cst.Name) and node.value == "None":
        return []
    path = (model.path_of(node.func) or "") if isinstance(node, cst.Call) else (model.path_of(node) or "")
    last = path.rsplit(".", 1)[-1]
    datasets = isinstance(node, (cst.List, cst.Tuple, cst.BinaryOperation))
    message = schedule_message(last, datasets, isinstance(node, cst.Call), where)
    return [Finding("DS605", at, message, ERROR)] if message else []


def preset_message(text: str, where: str) -> Optional[str]:
    """DS605's warning for a string schedule that is an `@` preset other than cron's own."""
    if text.startswith("@") and text not in CRON_PRESETS:
        return f"`{text}` is not a cron expression: {where} documents a cron expression or None only"
    return None


def schedule_message(last: str, datasets: bool, called: bool, where: str) -> Optional[str]:
    """DS605's error for a schedule that is no cron expression: a duration (`last` is its class's
    name), datasets or assets, a timetable other than a cron one; None for anything else."""
    if last in ("timedelta", "duration", "relativedelta"):
        return f"a `{last}` schedule is not a cron expression: {where} takes a cron expression or None (write the interval as cron)"
    if datasets or last in DATASETS:
        return f"a Dataset/Asset schedule is not supported on {where}: it takes a cron expression or None"
    if called and last.endswith("Timetable") and last not in CRON_TIMETABLES:
        return f"`{last}` is not a cron expression: {where} takes a cron expression or None"
    return None


def _default_args(node: cst.BaseExpression, model: FileModel, facts: dict[str, Any], where: str) -> list[Finding]:
    if isinstance(node, cst.Name) and node.value in model.constants:
        node = model.constants[node.value]
    pairs: list[tuple[Optional[str], cst.CSTNode, cst.BaseExpression]]
    if isinstance(node, cst.Call) and (model.path_of(node.func) or "") == "dict":
        pairs = [(a.keyword.value, a, a.value) for a in node.args if a.keyword is not None]
    elif isinstance(node, cst.Dict):
        pairs = [(literal_str(e.key), e, e.value) for e in node.elements if isinstance(e, cst.DictElement)]
    else:
        return []
    found = []
    for key, at, val in pairs:
        if key is None:
            continue
        if key not in facts["default_args"]:
            found.append(Finding("DS609", at, default_args_message(key, facts, where), ERROR))
        elif key in facts["task_limits"]:
            message = _range(key, val, model, facts)
            if message:
                found.append(Finding("DS606", at, message, ERROR))
        elif key in facts["task_ignored"] and key not in DAG_DATES:
            found.append(_ignored(key, at, facts["task_ignored"][key]))
        elif key in facts["dag_ignored"]:
            found.append(_ignored(key, at, facts["dag_ignored"][key]))
    return found


def default_args_message(key: str, facts: dict[str, Any], where: str) -> str:
    return (f"`default_args` key `{key}` is not one {where} accepts (only {', '.join(facts['default_args'])}): "
            "the workflow is refused")
