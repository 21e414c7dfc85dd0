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
from dagshift.rules.dag_api.subdag_settings import Parent, differences, module_values, substituted

MARKER = b"SubDagOperator"
# The SubDagOperator's own arguments, which a TaskGroup has no use for: dropped, and said so.
# Attributes of a DAG that Airflow 3's DAG does not have (it reads them as an AttributeError).
GONE = frozenset({"schedule_interval", "concurrency"})
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


def is_subdag_call(node: Any, aliases: frozenset = frozenset()) -> bool:
    """A call of SubDagOperator: by that name, as an attribute of a module, or by a name it was
    imported as (`from airflow.operators.subdag_operator import SubDagOperator as SDO`)."""
    if not isinstance(node, ast.Call):
        return False
    return last_name(node.func) == "SubDagOperator" or (isinstance(node.func, ast.Name) and node.func.id in aliases)


def operator_aliases(bindings: dict) -> frozenset:
    return frozenset(n for n, b in bindings.items() if b and b[1] == "SubDagOperator")


def keyword(call: ast.Call, name: str) -> Optional[ast.expr]:
    return next((k.value for k in call.keywords if k.arg == name), None)


def parent_map(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


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


def subdag_calls(src: "Source") -> list[ast.Call]:
    aliases = operator_aliases(src.bindings)
    found = [n for n in ast.walk(src.tree) if isinstance(n, ast.Call) and is_subdag_call(n, aliases)]
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
    if (call.args or task_id is None or not isinstance(made, ast.Call) or is_dag_call(made)
            or not isinstance(made.func, (ast.Name, ast.Attribute))):
        return {**found, "reason": _not_a_factory(made, task_id)}
    found["key"] = src.callee_key(made.func)
    facts = factory(found["key"]) if found["key"] else None
    if facts is None:
        return {**found, "reason": f"dagshift cannot find the factory `{ast.unparse(made.func)}` among the repository's files"}
    if facts.get("reason"):
        return {**found, "reason": facts["reason"]}
    found["dropped"] = own_arguments(call)
    if isinstance(found["dropped"], str):
        return {**found, "reason": found["dropped"]}
    parent = parent_of(call, src, factory)
    if isinstance(parent, str):
        return {**found, "reason": parent}
    found["parent"], found["outer"], settings, _ = parent
    outer = factory(found["outer"]) if found["outer"] else None
    found["names"] = facts["names"] + ([outer["names"][0]] if outer else [])
    arguments = _arguments(made, facts)
    if isinstance(arguments, str):
        return {**found, "reason": arguments}
    given, extra = arguments
    found["nulled"] = _gone(made, facts, found["parent"])
    if isinstance(found["nulled"], str):
        return {**found, "reason": found["nulled"]}
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
    found["parent_defaults"] = bool(parent_args) and sub_args not in (parent_args, f"{found['parent']}.default_args")
    return {**found, "reason": facts.get("blocked")}


def own_arguments(call: ast.Call) -> Any:
    """The SubDagOperator's own keywords the rewrite drops, or why one cannot be dropped."""
    others = sorted(k.arg or "**" for k in call.keywords if k.arg not in ("task_id", "subdag", "dag"))
    kept = [k for k in others if k not in OWN]
    if kept:
        return ("the SubDagOperator's own " + ", ".join(f"`{k}=`" for k in kept)
                + " applies to the sub-DAG as one task, which a TaskGroup cannot carry")
    return others


def _not_a_factory(made: Optional[ast.expr], task_id: Optional[ast.expr]) -> str:
    if task_id is not None and is_dag_call(made):
        return "its `subdag=` builds the sub-DAG in place (`DAG(...)`), not in a factory function dagshift can rewrite"
    if task_id is not None and isinstance(made, ast.Name):
        return (f"its `subdag=` is the DAG `{made.id}` built outside a factory function, which dagshift does not "
                "rewrite")
    return "its `subdag=` is not a call of a factory function with `task_id=` beside it"


def _unnamed(call: ast.Call, src: Source) -> str:
    node: ast.AST = call
    while node in src.parents:
        node = src.parents[node]
        if isinstance(node, ast.FunctionDef) and any(last_name(d.func if isinstance(d, ast.Call) else d) == "dag"
                                                     for d in node.decorator_list):
            return (f"its parent DAG is built by the `@dag` function `{node.name}`, which gives it no name to hand "
                    "the factory (a TaskGroup takes its DAG as `dag=`)")
    return "its parent DAG is not a name dagshift can follow (`dag=` or `with DAG(...) as dag:`)"


def _gone(made: ast.Call, facts: dict, parent: str) -> Any:
    """The arguments that read an attribute the parent DAG no longer has on Airflow 3
    (`dag.schedule_interval`): [position or keyword, parameter, text] of each, when the factory
    only read them for its DAG's arguments (after the fix, None passes for them); else a reason."""
    params, found = facts["params"], []
    for i, value in [(i, v) for i, v in enumerate(made.args)] + [(k.arg, k.value) for k in made.keywords]:
        reads = [n for n in ast.walk(value) if isinstance(n, ast.Attribute) and n.attr in GONE
                 and isinstance(n.value, ast.Name) and n.value.id == parent]
        if not reads:
            continue
        param = (params[i] if i < len(params) else f"*{facts.get('star')}") if isinstance(i, int) else i
        if param not in facts.get("dead", ()):
            return (f"the call hands `{param}` `{ast.unparse(reads[0])}`, which Airflow 3's DAG does not have, and "
                    f"`{facts['name']}` reads it for more than its DAG's arguments")
        found.append([i, param, ast.unparse(value)])
    return found


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


def parent_of(call: ast.Call, src: Source, factory: Callable[[str], Optional[dict]]) -> Any:
    """(parent DAG name, the outer factory's key for a nested SubDAG, the parent's settings, its
    DAG call where this file builds it), or a reason."""
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
        return _unnamed(call, src)
    outer_fn = src.enclosing_function(call)
    if outer_fn is not None:
        key = f"{src.relpath}::{outer_fn.name}"
        outer = factory(key)
        if outer is not None and outer.get("var") == name:
            if outer.get("reason") or outer.get("blocked"):
                return f"it is inside the SubDAG factory `{outer_fn.name}`, which is not rewritten"
            return name, key, outer["settings"], None
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
    return name, None, settings, dag_call
