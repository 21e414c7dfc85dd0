"""What DS512-DS514 find: the DAG arguments, defaults and task-side database access Airflow 3 changed.

Called from the DS5xx visitor (rules/dag_api/analysis.py) with the target's facts from
data/dag_api.json; every fact there is read from the target's wheels by scripts/gen_dag_api.py.
"""

from __future__ import annotations

import re
from typing import Any, Optional

import libcst as cst

from dagshift.fixers.arguments import add_keywords, drop_item, rename_keyword
from dagshift.fixers.edits import replace_span
from dagshift.fixers.imports import with_added
from dagshift.linter.diagnostics import Edit, Fix
from dagshift.linter.findings import Finding
from dagshift.rules.dag_api import severity

# The helpers that hand code a metadata-database session (2.x paths and their 1.10 spellings).
DB_HELPERS = {
    "airflow.utils.session.provide_session": "`@provide_session`",
    "airflow.utils.session.create_session": "`create_session()`",
    "airflow.utils.db.provide_session": "`@provide_session`",
    "airflow.utils.db.create_session": "`create_session()`",
    "airflow.settings.Session": "`settings.Session`",
}
DB_ADVICE = ("use the Task SDK (`Variable`, `Connection`, XCom, `get_current_context()`) or Airflow's REST API "
             "(on MWAA: `aws mwaa invoke-rest-api`)")


def removed_dag_argument(visitor: Any, args: list[cst.Arg], index: int, successor: Optional[str],
                         keywords: set[str]) -> None:
    """DS512: a DAG argument the target's DAG no longer takes (renamed where a successor exists)."""
    arg = args[index]
    assert arg.keyword is not None
    key = arg.keyword.value
    if successor:
        fix = rename_keyword(visitor.ctx, arg, successor) if successor not in keywords else None
        advice = f"use `{successor}=`"
    else:
        fix = drop_item(visitor.ctx, args, index, key)
        advice = "remove it (it only shaped the UI or the file path, which Airflow 3 decides itself)"
    visitor.findings.append(Finding("DS512", arg.keyword, (
        f"`{key}=` was removed in Airflow 3: the DAG fails to load on {visitor.target}; {advice}"
    ), fix=fix, severity=severity.dag_argument(visitor.facts, key)))


def warned_argument(visitor: Any, items: list, index: int, key: str, node: cst.CSTNode, kind: str) -> bool:
    """DS512 (a warning): an argument the target takes only to warn, quoting the wheel's own warning;
    one that does nothing (the SLA arguments: "removed") is deleted by a safe fix."""
    text = visitor.facts["warned_arguments"][kind].get(key)
    if text is None:
        return False
    inert = "removed" in text.lower()
    state = "has no effect" if inert else "is deprecated"
    visitor.findings.append(Finding("DS512", node, (
        f"`{key}` {state} on Airflow {visitor.target}: {text.rstrip('.')}"
    ), severity=severity.IGNORED, fix=drop_item(visitor.ctx, items, index, key) if inert else None))
    return True


# NO_START: a DAG with no start date in sight (no `start_date=`, no `default_args=`) has no runs
# to catch up on, and Airflow 3 refuses `catchup=True` without one ("start_date is required when
# catchup=True"): writing Airflow 2's catchup there would break a DAG that loads.


def bare_dag_defaults(visitor: Any, decorator: cst.BaseExpression) -> None:
    """DS513 for `@dag` written without a call: the fix calls it with the Airflow 2 values."""
    if not visitor.facts["changed_defaults"]:
        return  # (before any position is computed: a 2.x target never needs one here)
    start, end = visitor.ctx.span(decorator)
    written = visitor.ctx.module.code_for_node(decorator)
    _defaults(visitor, decorator, {"catchup"}, lambda values: replace_span(  # (no start date: NO_START)
        start, end, f"{written}({', '.join(values)})", "keep the Airflow 2 behaviour: " + ", ".join(f"`{v}`" for v in values)))


def dag_defaults(visitor: Any, call: cst.Call, args: list[cst.Arg]) -> None:
    """DS513: a DAG that leaves out an argument whose default the target changed."""
    if any(a.star for a in args):
        return  # (a `**options` splat may set them: nothing to prove)
    keywords = {a.keyword.value for a in args if a.keyword is not None}
    # An unscheduled DAG (`schedule=None`) or one that runs once (`"@once"`) has no missed runs to
    # catch up on: its catchup is moot.
    if any(a.keyword is not None and a.keyword.value in ("schedule", "schedule_interval")
           and ((isinstance(a.value, cst.Name) and a.value.value == "None")
                or (isinstance(a.value, cst.SimpleString) and a.value.evaluated_value == "@once")) for a in args):
        keywords.add("catchup")
    if not keywords & {"start_date", "default_args"}:
        keywords.add("catchup")  # NO_START
    _defaults(visitor, call.func, keywords, lambda values: add_keywords(
        visitor.ctx, call, values, "keep the Airflow 2 behaviour: " + ", ".join(f"`{v}`" for v in values)))


def _defaults(visitor: Any, node: cst.CSTNode, keywords: set[str], make_fix: Any) -> None:
    changed = visitor.facts["changed_defaults"]
    if not changed:
        return
    if keywords & {"schedule_interval", "timetable"}:
        keywords.add("schedule")  # (DS504 renames it; the schedule is explicit)
    if visitor.ctx.facts.get("catchup_by_default") is not None:
        keywords.add("catchup")  # the repository sets it for every DAG: that carries over unchanged
    missing = [arg for arg in ("schedule", "catchup") if arg in changed and arg not in keywords]
    if not missing:
        return
    was = {"schedule": f"ran {_schedule_words(changed.get('schedule'))} on Airflow 2 and is never scheduled on "
                       f"{visitor.target}",
           "catchup": f"caught up on missed runs on Airflow 2 and does not on {visitor.target}"}
    spelled = {arg: _spelled(visitor, changed[arg]) for arg in missing}
    fix = None
    if all(spelled[arg] is not None for arg in missing):
        values = [f"{arg}={spelled[arg][0]}" for arg in missing]  # type: ignore[index]
        fix = make_fix(values)
        if fix is not None and any(spelled[arg][1] for arg in missing):  # type: ignore[index]
            fix = Fix(fix.edits + (_import_timedelta(visitor),), fix.applicability, fix.description)
    visitor.findings.append(Finding("DS513", node, (
        "this DAG relies on " + " and ".join(f"the `{arg}` default" for arg in missing) + " that Airflow 3 changed: "
        + "; ".join(f"without `{arg}=` it {was[arg]}" for arg in missing)
        + (" (the fix writes the Airflow 2 values; choose others if you meant them)" if fix is not None else
           " (write the Airflow 2 value, `timedelta(days=1)`, or the schedule you mean)")
    ), fix=fix))


def _schedule_words(value: Any) -> str:
    if value == TIMEDELTA_DAY:
        return "once a day from its start date"
    return "daily" if value == "@daily" else f"on {value!r}"


# Airflow 2's DEFAULT_SCHEDULE_INTERVAL, as scripts/gen_dag_api.py records it: a run every day from
# the start date (at the start date's time of day), which `"@daily"` (midnight) is not.
TIMEDELTA_DAY = "timedelta(days=1)"


def _spelled(visitor: Any, value: Any) -> Optional[tuple[str, bool]]:
    """How to write a default in this file: (expression, whether `timedelta` must be imported);
    None when the file's names leave no clean way (`timedelta` bound to something else)."""
    if value != TIMEDELTA_DAY:
        return (f'"{value}"' if isinstance(value, str) else repr(value)), False
    imports = visitor.ctx.imports
    if imports.resolve("timedelta") == "datetime.timedelta":
        return TIMEDELTA_DAY, False
    if imports.resolve("datetime") == "datetime":
        return "datetime." + TIMEDELTA_DAY, False
    if "timedelta" in imports.by_local or re.search(r"\btimedelta\b", visitor.ctx.text):
        return None  # the name is taken here (or defined by the file itself): no guess
    return TIMEDELTA_DAY, True


def _import_timedelta(visitor: Any) -> Edit:
    """`timedelta` added to the file's top-level `from datetime import ...`, else a line of its own."""
    for imported in visitor.ctx.imports:
        statement = imported.statement
        if (imported.module == "datetime" and imported.name is not None and not imported.enclosing
                and imported.level == 0 and isinstance(statement, cst.ImportFrom)
                and not isinstance(statement.names, cst.ImportStar)):
            start, end = visitor.ctx.span(statement)
            return Edit(start, end, with_added(visitor.ctx.module, statement, ["timedelta"]))
    return visitor._import_line("from datetime import timedelta")


def db_access(visitor: Any, node: cst.CSTNode, qualified: str) -> None:
    """DS514: task code handed a metadata-database session, which Airflow 3 tasks do not have."""
    what = DB_HELPERS.get(qualified)
    if what is None or not visitor.facts["task_sdk_runtime"]:
        return
    visitor.findings.append(Finding("DS514", node, (
        f"{what} opens a metadata-database session: on Airflow {visitor.target} task code runs through the "
        f"Task Execution API with no database connection, and the task fails; {DB_ADVICE}"
    )))


CATCHUP_SETTING = re.compile(
    r"(?:AIRFLOW__SCHEDULER__CATCHUP_BY_DEFAULT|scheduler\.catchup_by_default|^\s*catchup_by_default)"
    r"[\"']?\s*[=:]\s*[\"']?(true|false)\b", re.I | re.M)


def configured_catchup(project: Any, kinds: frozenset[str]) -> Optional[bool]:
    """`[scheduler] catchup_by_default` as the repository's own configuration sets it (airflow.cfg,
    an env file, MWAA's AirflowConfigurationOptions, compose...: files of `kinds`), or None when
    nothing sets it."""
    for entry in project.files_of(*sorted(kinds)):
        try:
            text = entry.path.read_bytes()[:1_000_000].decode("utf-8", "replace")
        except OSError:
            continue  # unreadable: the file's own check says so
        if "atchup_by_default" not in text and "ATCHUP_BY_DEFAULT" not in text:
            continue
        match = CATCHUP_SETTING.search(text)
        if match:
            return match.group(1).lower() == "true"
    return None
