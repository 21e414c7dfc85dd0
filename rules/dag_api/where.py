"""Where a refused call fails: at DAG load, or only when the function around it runs.

A call at module level (or in a `with DAG(...)` block) runs when the scheduler parses the file; one
inside a function runs when that function is called: a DAG factory defined here and called from
another file, a failure callback, a helper nobody calls. The finding says which, so a claim that
"the DAG fails" is only made where parsing the file runs the call.
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from dagshift.linter.walk import children


def enclosing_function(ctx: Any, node: cst.CSTNode) -> Optional[str]:
    """The innermost function whose body holds `node`, by name (None at module level)."""
    owners = ctx.shared.get("dag_api.function_owners")
    if owners is None:
        owners = ctx.shared["dag_api.function_owners"] = _owners(ctx.module)
    return owners.get(id(node))


def _owners(module: cst.Module) -> dict[int, str]:
    """id(node) -> the name of the innermost function around it, for every node inside a function."""
    owners: dict[int, str] = {}
    stack: list[tuple[cst.CSTNode, Optional[str]]] = [(module, None)]
    while stack:
        node, function = stack.pop()
        if isinstance(node, cst.FunctionDef):
            # A `@dag` function's body runs when the file calls it to build the DAG, as DAG files do.
            stack.append((node.body, function if _is_dag_function(node) else node.name.value))
            continue
        if function is not None:
            owners[id(node)] = function
        stack.extend((child, function) for child in children(node))  # (the engine's fast walk)
    return owners


def _is_dag_function(node: cst.FunctionDef) -> bool:
    for decorator in node.decorators:
        expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        name = expr.attr.value if isinstance(expr, cst.Attribute) else getattr(expr, "value", None)
        if name == "dag":
            return True
    return False


def refused(ctx: Any, node: cst.CSTNode, outcome: str) -> str:
    """'the DAG fails with <outcome>' at load time, or which function's call fails."""
    function = enclosing_function(ctx, node)
    if function is None:
        return f"the DAG fails with {outcome}"
    return f"calling `{function}()` fails with {outcome}"
