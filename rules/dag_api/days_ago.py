"""What replaces `airflow.utils.dates.days_ago(n, hour=0, minute=0, second=0, microsecond=0)`.

Airflow 2 computes it as today's UTC date at the given time of day, minus `n` days. With integer
literals that is exactly `pendulum.today("UTC").add(days=-n)` (then `.replace(...)` for a time of
day): the same instant, in UTC, which has no daylight-saving shifts. scripts/verify_identity.py
compares both on real Airflow. Anything else (a variable, a float) may not be an integer number of
days, which `add(days=)` does not take the same way: the rewrite is offered, unsafe.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

TIME_OF_DAY = ("hour", "minute", "second", "microsecond")


def days_ago_replacement(module: cst.Module, args: list[cst.Arg]) -> Optional[tuple[str, bool]]:
    """(replacement text, exact) for a `days_ago(...)` call's arguments; None when they cannot be
    read (a `*args` / `**kwargs` splat, an unknown keyword, a repeated one)."""
    if any(a.star for a in args):
        return None
    named: dict[str, cst.BaseExpression] = {}
    for index, arg in enumerate(args):
        key = arg.keyword.value if arg.keyword is not None else (("n",) + TIME_OF_DAY)[index] if index < 5 else None
        if key is None or key in named or key not in ("n",) + TIME_OF_DAY:
            return None
        named[key] = arg.value
    if "n" not in named:
        return None
    exact = all(_int_literal(value) for value in named.values())
    days = module.code_for_node(named["n"])
    text = 'pendulum.today("UTC")'
    if days.strip() not in ("0", "-0"):
        text += f".add(days=-{days})" if isinstance(named["n"], (cst.Integer, cst.Float, cst.Name)) else f".add(days=-({days}))"
    times = [f"{key}={module.code_for_node(named[key])}" for key in TIME_OF_DAY if key in named]
    if times:
        text += f".replace({', '.join(times)})"
    return text, exact


def _int_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    return isinstance(node, cst.Integer)
