"""DS510's SubDAG -> TaskGroup rewrite: what can move, read with `ast` (never imported or run).

A SubDAG is written as a factory, `def subdag(parent, child, args): d = DAG(f"{parent}.{child}",
...); ...tasks with dag=d...; return d` (or `with DAG(...) as d:`), called as
`SubDagOperator(task_id=child, subdag=subdag(...), dag=dag)`. The factory can become a function
that builds the same tasks in `TaskGroup(group_id=child)` of the parent DAG when dagshift can
follow it: one DAG built at the top of its body, whose variable is only handed to tasks as `dag=`
and returned; a dag_id `<parent>.<child>` whose child is a parameter the call site gives the
operator's task_id; DAG settings equal to the parent's (`max_active_runs`, `max_active_tasks`... of
its own cannot move into a group; its schedule and `catchup` are never read: UNREAD); and every use
of the factory is such a call site.

The project phase (`build`) reads every file of the run naming SubDagOperator, follows each
factory into its own module (the repository's, read as text), and decides per factory; the facts
are plain data (the cache key holds them): {"factories": {"path::name": facts}}. The file phase
(subdag_fix.py) reads each call site with the same functions and the factories from the facts.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Callable, Optional

from dagshift.linter.syspath import module_bindings, package_root
from dagshift.rules.dag_api.subdag_settings import Parent, differences, module_values, origin, substituted

MARKER = b"SubDagOperator"
PARAMS = ("parent_dag", "parent_group")
# The SubDagOperator's own arguments, which a TaskGroup has no use for: dropped, and said so.
OWN = frozenset({"executor", "propagate_skipped_state", "mode", "poke_interval", "timeout", "soft_fail",
                 "default_args", "pool", "pool_slots", "retries", "retry_delay", "owner", "email",
                 "email_on_failure", "email_on_retry", "session"})
RENAMED = {"schedule_interval": "schedule", "concurrency": "max_active_tasks", "timetable": "schedule"}


def last_name(node: ast.expr) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def is_dag_call(node: Any) -> bool:
    return isinstance(node, ast.Call) and last_name(node.func) == "DAG"


def is_subdag_call(node: Any) -> bool:
    return isinstance(node, ast.Call) and last_name(node.func) == "SubDagOperator"


def keyword(call: ast.Call, name: str) -> Optional[ast.expr]:
    return next((k.value for k in call.keywords if k.arg == name), None)


def parent_map(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


# -- a factory's body ------------------------------------------------------------------------


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
    if used & set(PARAMS):
        return {**facts, "reason": f"the factory `{fn.name}` already uses the name `parent_dag` or `parent_group`"}
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
    facts["settings"] = {}
    for k in call.keywords:
        if k.arg is None:
            continue  # (the forwarded `**kwargs`: read at each call site)
        free = {n.id for n in ast.walk(k.value) if isinstance(n, ast.Name)} - set(params)
        if free & locals_:
            return {**facts, "reason": f"the sub-DAG's `{k.arg}=` reads a variable of `{fn.name}`"}
        origin = {n: origin(bindings.get(n, False)) for n in sorted(free)}
        facts["settings"][RENAMED.get(k.arg or "", k.arg)] = {"text": ast.unparse(k.value), "free": origin}
    return facts


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


# -- a call site -----------------------------------------------------------------------------


class Source:
    """One Python file as the analysis reads it: its tree, module name and top-level bindings."""

    def __init__(self, path: Path, relpath: str, tree: ast.Module, root: Path, plugins: tuple = ()) -> None:
        self.path, self.relpath, self.tree, self.root = path, relpath, tree, root
        self.plugins: tuple[Path, ...] = plugins  # (the plugins folders Airflow puts on sys.path too)
        base = package_root(path)
        rel = path.relative_to(base).with_suffix("").parts if base in path.parents else (path.stem,)
        self.module = ".".join(p for p in rel if p != "__init__")
        self.bindings, _ = module_bindings(tree, self.module, path.name == "__init__.py")
        self.parents = parent_map(tree)
        self.functions = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}
        self.values = module_values(tree)

    def factory_key(self, name: str) -> Optional[str]:
        """`path::name` of the function a top-level name denotes: defined here, or imported from a
        module of the repository (looked for from this file's folder up to the project root)."""
        if name in self.bindings and self.bindings[name] is None and name in self.functions:
            return f"{self.relpath}::{name}"
        binding = self.bindings.get(name)
        if binding is None or not binding[0] or not binding[1]:
            return None
        return self.resolve(*binding)

    def callee_key(self, func: ast.expr) -> Optional[str]:
        """The factory a call's function denotes: a name, or `module.name` of an imported module."""
        if isinstance(func, ast.Name):
            return self.factory_key(func.id)
        parts: list[str] = []
        value = func.value if isinstance(func, ast.Attribute) else None
        while isinstance(value, ast.Attribute):
            parts.insert(0, value.attr)
            value = value.value
        if isinstance(func, ast.Attribute) and isinstance(value, ast.Name):
            binding = self.bindings.get(value.id)  # `import a.b as m`, `import a.b` (a), `from a import b`
            if binding is not None and binding[0]:
                return self.resolve(".".join([p for p in binding if p] + parts), func.attr)
        return None

    def resolve(self, source: str, imported: str) -> Optional[str]:
        """`path::name` of `imported` in the repository's module `source`."""
        folder, folders = self.path.parent, []
        while folder == self.root or self.root in folder.parents:
            folders.append(folder)
            folder = folder.parent
        for folder in folders + [p for p in self.plugins if p == self.root or self.root in p.parents]:
            for candidate in (folder / (source.replace(".", "/") + ".py"), folder / source.replace(".", "/") / "__init__.py"):
                if candidate.is_file():
                    return f"{candidate.relative_to(self.root).as_posix()}::{imported}"
        return None

    def enclosing_function(self, node: ast.AST) -> Optional[ast.FunctionDef]:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef) and node in self.functions.values():
                return node
        return None


def subdag_calls(tree: ast.AST) -> list[ast.Call]:
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and is_subdag_call(n)]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def site_id(call: ast.Call, src: Source) -> list[str]:
    """What names a call site across edits of its file: the function it is in, its task_id and
    its factory (the project phase decides; the file phase finds the decision by this)."""
    fn = src.enclosing_function(call)
    task_id, made = keyword(call, "task_id"), keyword(call, "subdag")
    factory = made.func if isinstance(made, ast.Call) else made
    return [fn.name if fn else "", ast.unparse(task_id) if task_id else "", ast.unparse(factory) if factory else ""]


def site(call: ast.Call, src: Source, factory: Callable[[str], Optional[dict]]) -> dict:
    """What one SubDagOperator call is: its factory, its parent DAG, and a reason if it cannot move."""
    task_id = keyword(call, "task_id")
    made = keyword(call, "subdag")
    found: dict[str, Any] = {"line": call.lineno, "key": None, "outer": None, "reason": None, "dropped": [],
                             "group": _shown(task_id), "parent": None}
    if (call.args or task_id is None or not isinstance(made, ast.Call)
            or not isinstance(made.func, (ast.Name, ast.Attribute))):
        return {**found, "reason": "its `subdag=` is not a call of a factory function with `task_id=` beside it"}
    found["key"] = src.callee_key(made.func)
    facts = factory(found["key"]) if found["key"] else None
    if facts is None:
        return {**found, "reason": f"dagshift cannot find the factory `{ast.unparse(made.func)}` among the repository's files"}
    if facts.get("reason"):
        return {**found, "reason": facts["reason"]}
    others = sorted(k.arg or "**" for k in call.keywords if k.arg not in ("task_id", "subdag", "dag"))
    kept = [k for k in others if k not in OWN]
    if kept:
        return {**found, "reason": "the SubDagOperator's own " + ", ".join(f"`{k}=`" for k in kept)
                + " applies to the sub-DAG as one task, which a TaskGroup cannot carry"}
    found["dropped"] = others
    parent = _parent(call, src, factory)
    if isinstance(parent, str):
        return {**found, "reason": parent}
    found["parent"], found["outer"], settings = parent
    arguments = _arguments(made, facts)
    if isinstance(arguments, str):
        return {**found, "reason": arguments}
    given, extra = arguments
    sub = {**facts["settings"], **{RENAMED.get(k, k): {"text": ast.unparse(v), "free": {}, "here": True}
                                   for k, v in extra.items()}}
    if ast.unparse(given[facts["group"]]) != ast.unparse(task_id):
        return {**found, "reason": f"the sub-DAG's child name `{ast.unparse(given[facts['group']])}` is not the task_id"}
    same_module = found["key"].split("::")[0] == src.relpath
    differ = differences(sub, Parent(found["parent"], settings, src.bindings, src.values), given, not same_module)
    if differ:
        return {**found, "reason": differ}
    parent_args = settings.get("default_args", {}).get("text")
    mine = sub.get("default_args", {})
    sub_args = mine.get("text") if mine.get("here") else substituted(mine.get("text"), given)
    found["parent_defaults"] = bool(parent_args) and parent_args != sub_args
    return {**found, "reason": facts.get("blocked")}


def _shown(node: Optional[ast.expr]) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ast.unparse(node) if node is not None else "?"


def _arguments(made: ast.Call, facts: dict) -> Any:
    """(parameter -> the expression the call gives it, the keywords a `**kwargs` factory hands its DAG)."""
    if any(isinstance(a, ast.Starred) for a in made.args) or any(k.arg is None for k in made.keywords):
        return "the factory is called with `*` or `**` arguments"
    params = facts["params"]
    given: dict[str, ast.expr] = dict(zip(params, made.args))
    given.update({k.arg: k.value for k in made.keywords if k.arg is not None and k.arg in params})
    for name, default in facts["defaults"].items():
        given.setdefault(name, ast.parse(default, mode="eval").body)
    extra = {k.arg: k.value for k in made.keywords if k.arg is not None and k.arg not in params}
    if len(made.args) > len(params) or set(params) - set(given) or (extra and not facts.get("forward")):
        return f"the call of `{facts['name']}` does not match its parameters"
    return given, extra


def _parent(call: ast.Call, src: Source, factory: Callable[[str], Optional[dict]]) -> Any:
    """(parent DAG name, the outer factory's key for a nested SubDAG, the parent's settings), or a reason."""
    named = keyword(call, "dag")
    name = named.id if isinstance(named, ast.Name) else None
    if named is not None and name is None:
        return "its `dag=` is not a name dagshift can follow"
    node: ast.AST = call
    dag_call: Optional[ast.Call] = None
    while name is None and node in src.parents:
        node = src.parents[node]
        if isinstance(node, ast.With):
            item = next((i for i in node.items if is_dag_call(i.context_expr)), None)
            if item is not None and isinstance(item.optional_vars, ast.Name) and isinstance(item.context_expr, ast.Call):
                name, dag_call = item.optional_vars.id, item.context_expr
    if name is None:
        return "its parent DAG is not a name dagshift can follow (`dag=` or `with DAG(...) as dag:`)"
    outer_fn = src.enclosing_function(call)
    if outer_fn is not None:
        key = f"{src.relpath}::{outer_fn.name}"
        outer = factory(key)
        if outer is not None and outer.get("var") == name:
            if outer.get("reason") or outer.get("blocked"):
                return f"it is inside the SubDAG factory `{outer_fn.name}`, which is not rewritten"
            return name, key, outer["settings"]
    scope = outer_fn or src.tree
    for node in ast.walk(scope):
        if dag_call is None and isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and is_dag_call(node.value):
            if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                dag_call = node.value
        elif dag_call is None and isinstance(node, ast.With):
            dag_call = next((i.context_expr for i in node.items if isinstance(i.context_expr, ast.Call)
                             and is_dag_call(i.context_expr) and isinstance(i.optional_vars, ast.Name)
                             and i.optional_vars.id == name), None)
    if dag_call is None or any(k.arg is None for k in dag_call.keywords):
        return f"dagshift cannot read the parent DAG `{name}`'s arguments"
    settings = {RENAMED.get(k.arg or "", k.arg): {"text": ast.unparse(k.value)} for k in dag_call.keywords}
    return name, None, settings
