"""DS502 on a trigger rule Airflow renamed: `trigger_rule="none_failed_or_skipped"` and `"dummy"`.

Airflow 2.2-2.11's BaseOperator maps each to its successor with a warning (`none_failed_min_one_success`,
`always`: the same rule under its new name), and Airflow 3's TriggerRule no longer has them, so the
task is refused while the DAG is parsed. The facts are read from each wheel (scripts/gen_dag_api.py:
`trigger_rule_renames`, `trigger_rules_removed`); the fix writes the successor Airflow 2's own code
names, which is the rule the task already ran with: a safe fix.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from dagshift.fixers.edits import replace_span
from dagshift.linter.diagnostics import ERROR, WARNING
from dagshift.linter.findings import Finding
from dagshift.rules.dag_api.where import refused


def trigger_rule_value(v: Any, value: cst.BaseExpression) -> bool:
    """A renamed trigger rule written as a string: the finding, with the rename as its fix. False
    when the value is no such rule (the caller judges the argument otherwise)."""
    if not isinstance(value, cst.SimpleString) or not isinstance(value.evaluated_value, str):
        return False
    old = value.evaluated_value
    removed, renamed = v.facts.get("trigger_rules_removed", {}), v.facts.get("trigger_rule_renames", {})
    if old not in removed and old not in renamed:
        return False
    new = removed.get(old) or renamed[old]
    if old in removed:
        message = (f"trigger rule `{old}` was removed in Airflow 3: {refused(v.ctx, value, 'a ValueError')} on "
                   f"{v.target} (it is not a trigger rule there); Airflow 2 ran it as `{new}`")
        level = ERROR
    else:
        message = f"trigger rule `{old}` is deprecated on Airflow {v.target}: it runs as `{new}`"
        level = WARNING
    start, end = v.ctx.span(value)
    quote = value.prefix + value.quote
    fix = replace_span(start, end, f"{quote}{new}{value.quote}", f"use `{new}`, the same rule")
    v.findings.append(Finding("DS502", value, message, level, fix))
    return True
