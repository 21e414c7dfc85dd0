"""DS516: an attribute of a DAG object Airflow 3 removed (`dag.schedule_interval`, `dag.concurrency`,
`dag.full_filepath`...), read on a name the file binds to a DAG or on the task context's `dag`.

The facts are rules/dag_api/data/dag_attributes.json (scripts/gen_dag_attributes.py: the public
attributes of a DAG in real Airflow 2.11.2 against every DAG class of each Airflow 3 target), with
the successor Airflow 2's own deprecation warning, or the DAG argument's rename, names. Only what is
surely a DAG is judged: a name bound to `DAG(...)` (assigned, or `with DAG(...) as dag`) and
`context["dag"]` / `kwargs["dag"]`; a function parameter that may hold one is not.
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from dagshift.fixers.edits import replace_span
from dagshift.linter.diagnostics import ERROR, UNSAFE
from dagshift.linter.findings import Finding
from dagshift.rules.dag_api.context_keys import CONTEXT_NAMES
from dagshift.rules.dag_api.where import refused


def candidate(v: Any, node: cst.Attribute) -> None:
    """Keep an attribute read whose name the target's DAG lost (judged in `judge`, once every DAG
    name of the file is known)."""
    if node.attr.value in v.removed_attributes:
        v.dag_attributes.append(node)


def _on_a_dag(v: Any, owner: cst.BaseExpression) -> bool:
    if isinstance(owner, cst.Name):
        return owner.value in v.dag_names
    if isinstance(owner, cst.Subscript) and isinstance(owner.value, cst.Name) and owner.value.value in CONTEXT_NAMES:
        index = owner.slice[0].slice if len(owner.slice) == 1 else None
        return (isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString)
                and index.value.evaluated_value == "dag")
    return False


def judge(v: Any) -> None:
    removed = v.removed_attributes
    for node in v.dag_attributes:
        if not _on_a_dag(v, node.value):
            continue
        attr = node.attr.value
        facts = removed[attr]
        shown = f"`{v.ctx.module.code_for_node(node)}`"
        outcome = refused(v.ctx, node, "an AttributeError")
        successor: Optional[str] = facts.get("successor")
        message = f"{shown}: Airflow 3 removed `DAG.{attr}`; {outcome} on {v.target}"
        fix = None
        if successor:
            message += f"; read `{v.ctx.module.code_for_node(node.value)}.{successor}` ({facts['source']})"
            start, end = v.ctx.span(node.attr)
            fix = replace_span(start, end, successor, f"read `{successor}`", UNSAFE)
        elif facts.get("kind") == "method":
            message += " (a scheduler-side method: task code reaches runs and task instances through the REST API)"
        v.findings.append(Finding("DS516", node.attr, message, ERROR, fix))
