"""DS510: a SubDAG factory's body, read with `ast` (never imported or run): whether dagshift can
follow it, and what the rewrite needs of it (its DAG statement, parameters, the child's parameter,
the sub-DAG's settings, the names of the parameters the rewrite adds).

A factory can become a function that builds the same tasks in a TaskGroup when it builds one DAG
at the top of its body, whose variable is only handed to tasks as `dag=` (or re-entered with
`with d:`) and returned, with a dag_id `<parent>.<child>` whose child is a parameter.
"""

from __future__ import annotations

import ast
from typing import Any, Optional

from dagshift.rules.dag_api.subdag import RENAMED, is_dag_call, keyword
from dagshift.rules.dag_api.subdag_settings import origin

# The names of the parameters the rewrite adds, the first the factory does not use already.
PARAMS = (("parent_dag", "outer_dag", "parent_dag_obj"), ("parent_group", "outer_group", "parent_group_obj"))


def factory_facts(fn: ast.FunctionDef, bindings: dict) -> dict:
    """What the rewrite needs of a factory, with `reason` set where dagshift cannot follow it."""
    facts: dict[str, Any] = {"name": fn.name, "line": fn.lineno, "end": fn.end_lineno, "reason": None}
    args = fn.args
    if args.kwonlyargs or args.posonlyargs or fn.decorator_list:
        return {**facts, "reason": f"the factory `{fn.name}` takes keyword-only or positional-only parameters, or "
                                   "is decorated"}
    params = [a.arg for a in args.args]
    # `def f(parent, task_id, *args, **kwargs): DAG(..., **kwargs)`: the call site's other keywords are
    # the sub-DAG's arguments.
    facts.update(forward=args.kwarg.arg if args.kwarg else None, star=args.vararg.arg if args.vararg else None)
    defaults = [ast.unparse(d) for d in args.defaults]
    facts.update(params=params, defaults=dict(zip(params[len(params) - len(defaults):], defaults)))
    used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)} | set(params)
    names = [next((n for n in choices if n not in used), None) for choices in PARAMS]
    if None in names:
        return {**facts, "reason": f"the factory `{fn.name}` already uses every name dagshift would give its new parameters"}
    facts["names"] = names
    found = dag_statement(fn)
    if isinstance(found, str):
        return {**facts, "reason": found}
    form, var, call = found
    facts.update(form=form, var=var)
    if not any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == facts["forward"] for k in call.keywords):
        facts["forward"] = None  # (its `**kwargs` go elsewhere: a call giving more keywords does not match)
    problem = _body(fn, var) or _dag_arguments(call, facts)
    if problem:
        return {**facts, "reason": problem}
    locals_ = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    plain = [a for a in call.args if not isinstance(a, ast.Starred)]
    facts["group"] = group_param(plain[0] if plain else keyword(call, "dag_id"), params)
    if facts["group"] is None:
        return {**facts, "reason": f"the sub-DAG's dag_id is not `<parent>.<child>` with the child a parameter of `{fn.name}`"}
    facts["settings"], facts["dead"] = {}, _dead(fn, call, params)
    for k in call.keywords:
        if k.arg is None:
            continue  # (the forwarded `**kwargs`: read at each call site)
        free = {n.id for n in ast.walk(k.value) if isinstance(n, ast.Name)} - set(params)
        if free & locals_:
            return {**facts, "reason": f"the sub-DAG's `{k.arg}=` reads a variable of `{fn.name}`"}
        origins = {n: origin(bindings.get(n, False)) for n in sorted(free)}
        facts["settings"][RENAMED.get(k.arg or "", k.arg)] = {"text": ast.unparse(k.value), "free": origins}
    return facts


def _dead(fn: ast.FunctionDef, call: ast.Call, params: list[str]) -> list[str]:
    """The parameters read only for the DAG's arguments that the TaskGroup does not take (all but
    `default_args=`): nothing reads them after the fix."""
    kept = keyword(call, "default_args")
    inside = {id(n) for n in ast.walk(call)} - ({id(n) for n in ast.walk(kept)} if kept is not None else set())
    return [p for p in params if all(id(n) in inside for n in ast.walk(fn)
                                     if isinstance(n, ast.Name) and n.id == p and isinstance(n.ctx, ast.Load))]


def dag_statement(fn: ast.FunctionDef) -> Any:
    """("assign" | "with", variable, the DAG call) for the one DAG the factory builds, or a reason."""
    calls = [n for n in ast.walk(fn) if is_dag_call(n)]
    if len(calls) != 1:
        return f"`{fn.name}` builds {len(calls)} DAGs" if calls else f"`{fn.name}` builds no DAG dagshift can see"
    for stmt in fn.body:
        if (isinstance(stmt, ast.Assign) and stmt.value is calls[0] and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            return "assign", stmt.targets[0].id, calls[0]
        if (isinstance(stmt, ast.With) and len(stmt.items) == 1 and stmt.items[0].context_expr is calls[0]
                and isinstance(stmt.items[0].optional_vars, ast.Name)):
            return "with", stmt.items[0].optional_vars.id, calls[0]
    return f"`{fn.name}` builds its DAG somewhere other than a statement of its own body"


def _body(fn: ast.FunctionDef, var: str) -> Optional[str]:
    """The DAG variable may only be handed to calls as `dag=` and returned; the factory's `*args` and
    `**kwargs`, if any, only to the DAG."""
    handed = [a.arg for a in (fn.args.vararg, fn.args.kwarg) if a is not None]
    uses = [n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id in handed]
    if any(uses.count(name) > 1 for name in handed):
        return f"`{fn.name}` hands its `*args` or `**kwargs` to more than its DAG"
    returns = [n for n in ast.walk(fn) if isinstance(n, ast.Return)]
    if not returns or any(not (isinstance(r.value, ast.Name) and r.value.id == var) for r in returns):
        return f"`{fn.name}` does not end by returning its DAG `{var}`"
    allowed: set[int] = {id(r.value) for r in returns}
    for node in ast.walk(fn):
        if isinstance(node, ast.With) and len(node.items) == 1 and node.items[0].optional_vars is None:
            allowed.add(id(node.items[0].context_expr))  # `with dag_subdag:` (re-entering the DAG's context)
        if isinstance(node, ast.Call):
            for k in node.keywords:
                if k.arg == "dag" and isinstance(k.value, ast.Name) and k.value.id == var:
                    if keyword(node, "task_group") is not None:
                        return f"a task in `{fn.name}` already names its `task_group=`"
                    allowed.add(id(k.value))
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and node.id == var and isinstance(node.ctx, ast.Load) and id(node) not in allowed:
            return f"`{fn.name}` uses its DAG `{var}` as something other than a task's `dag=` (line {node.lineno})"
    return None


def _dag_arguments(call: ast.Call, facts: dict) -> Optional[str]:
    """The DAG's arguments: keywords, and the factory's own `*args` / `**kwargs` handed on whole."""
    stars = [a.value for a in call.args if isinstance(a, ast.Starred)]
    spread = [k.value for k in call.keywords if k.arg is None]
    if (len(call.args) - len(stars) > 1 or any(not (isinstance(v, ast.Name) and v.id == facts["star"]) for v in stars)
            or any(not (isinstance(v, ast.Name) and v.id == facts["forward"]) for v in spread)):
        return "the sub-DAG's arguments are not all keywords dagshift can read"
    if "executor" in {k.arg for k in call.keywords}:
        return "the sub-DAG names an executor of its own"
    return None


def group_param(dag_id: Optional[ast.expr], params: list[str]) -> Optional[str]:
    """The parameter that names the child in a dag_id `<parent>.<child>`: f"{p}.{c}",
    "%s.%s" % (p, c), p + "." + c, "{}.{}".format(p, c)."""
    child: Optional[ast.expr] = None
    if isinstance(dag_id, ast.JoinedStr) and len(dag_id.values) == 3:
        head, dot, tail = dag_id.values
        if isinstance(dot, ast.Constant) and dot.value == "." and isinstance(tail, ast.FormattedValue):
            child = tail.value if tail.conversion == -1 and tail.format_spec is None else None
    elif isinstance(dag_id, ast.BinOp) and isinstance(dag_id.op, ast.Mod) and isinstance(dag_id.left, ast.Constant):
        if dag_id.left.value == "%s.%s" and isinstance(dag_id.right, ast.Tuple) and len(dag_id.right.elts) == 2:
            child = dag_id.right.elts[1]
    elif isinstance(dag_id, ast.BinOp) and isinstance(dag_id.op, ast.Add) and isinstance(dag_id.left, ast.BinOp):
        dot = dag_id.left.right
        if isinstance(dot, ast.Constant) and dot.value == "." and isinstance(dag_id.left.op, ast.Add):
            child = dag_id.right
    elif (isinstance(dag_id, ast.Call) and isinstance(dag_id.func, ast.Attribute) and dag_id.func.attr == "format"
          and isinstance(dag_id.func.value, ast.Constant) and dag_id.func.value.value in ("{}.{}", "{0}.{1}")
          and len(dag_id.args) == 2 and not dag_id.keywords):
        child = dag_id.args[1]
    if isinstance(child, ast.Name) and child.id in params:
        return child.id
    return None
