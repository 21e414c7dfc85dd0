"""Which functions of a module reach an operator as its `python_callable`, following the data flow
DAG files use: passed directly, through a local name (`cb = extract`), out of a dict or list of
callables (`CALLABLES["x"]`, `for fn in STEPS:`), or through a helper function of the same module
that hands its parameter on (`def add_task(dag, name, fn): return PythonOperator(...,
python_callable=fn)`, then `add_task(dag, "t", extract)`), helpers of helpers included.

DS507 (a task callable that takes a context key Airflow 3 removed) and DS501 ask it. Read from the
tree only; the module is never run. Run only for files that define such a function, so the
libcst visit (which rebuilds nodes) costs nothing elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

HANDS = "python_callable"


@dataclass
class _Facts:
    aliases: dict[str, set[str]] = field(default_factory=dict)  # name -> the names it may hold
    # helper function -> {parameter name: its position}; calls: (callee, args, enclosing function)
    params: dict[str, dict[str, int]] = field(default_factory=dict)
    calls: list[tuple[str, list[cst.Arg], Optional[str]]] = field(default_factory=list)
    handed: list[tuple[cst.BaseExpression, Optional[str]]] = field(default_factory=list)  # python_callable=<expr>


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.facts = _Facts()
        self.functions: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        name = node.name.value
        self.facts.params[name] = {p.name.value: i for i, p in enumerate(node.params.params)}
        self.facts.params[name].update({p.name.value: -1 for p in node.params.kwonly_params})
        self.functions.append(name)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        held = _held(node.value)
        for target in node.targets:
            if isinstance(target.target, cst.Name) and held:
                self.facts.aliases.setdefault(target.target.value, set()).update(held)

    def visit_For(self, node: cst.For) -> None:
        source = node.iter
        if isinstance(source, cst.Call) and isinstance(source.func, cst.Attribute) and source.func.attr.value in (
                "values", "items"):
            source = source.func.value
        held = _held(source)
        targets = [node.target] if isinstance(node.target, cst.Name) else [
            e.value for e in node.target.elements] if isinstance(node.target, cst.Tuple) else []
        for target in targets:
            if isinstance(target, cst.Name) and held:
                self.facts.aliases.setdefault(target.value, set()).update(held)

    def visit_Call(self, node: cst.Call) -> None:
        enclosing = self.functions[-1] if self.functions else None
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == HANDS:
                self.facts.handed.append((arg.value, enclosing))
        if isinstance(node.func, cst.Name):
            self.facts.calls.append((node.func.value, list(node.args), enclosing))


def _held(value: cst.BaseExpression) -> set[str]:
    """The names a value may hold: a name; the values of a dict literal; the items of a list,
    tuple or set literal."""
    if isinstance(value, cst.Name):
        return {value.value}
    if isinstance(value, cst.Dict):
        return {e.value.value for e in value.elements if isinstance(e, cst.DictElement) and isinstance(e.value, cst.Name)}
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        return {e.value.value for e in value.elements if isinstance(e.value, cst.Name)}
    return set()


def _named(value: cst.BaseExpression) -> Optional[str]:
    """The name a handed value comes from: `f`, `d["k"]`, `d.get("k")`."""
    if isinstance(value, cst.Name):
        return value.value
    if isinstance(value, cst.Subscript) and isinstance(value.value, cst.Name):
        return value.value.value
    if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "get"
            and isinstance(value.func.value, cst.Name)):
        return value.func.value.value
    return None


def task_callables(module: cst.Module) -> set[str]:
    """Names of the functions the module hands to operators as `python_callable`."""
    collector = _Collector()
    module.visit(collector)
    facts = collector.facts
    # (function, parameter) pairs whose value reaches python_callable; names that do.
    forwarding: set[tuple[str, str]] = set()
    reached: set[str] = set()

    def reach(name: str, enclosing: Optional[str]) -> None:
        if enclosing is not None and name in facts.params.get(enclosing, {}):
            forwarding.add((enclosing, name))
        else:
            reached.add(name)

    for value, enclosing in facts.handed:
        name = _named(value)
        if name is not None:
            reach(name, enclosing)
    changed = True
    while changed:  # helpers of helpers, and names through aliases
        changed = False
        before = (len(forwarding), len(reached))
        for callee, args, enclosing in facts.calls:
            params = facts.params.get(callee)
            if not params:
                continue
            for param, position in params.items():
                if (callee, param) not in forwarding:
                    continue
                given = next((a.value for a in args if a.keyword is not None and a.keyword.value == param), None)
                if given is None and 0 <= position < len(args) and args[position].keyword is None and not args[position].star:
                    given = args[position].value
                name = _named(given) if given is not None else None
                if name is not None:
                    reach(name, enclosing)
        for name in list(reached):
            for held in facts.aliases.get(name, ()):
                reached.add(held)
        changed = (len(forwarding), len(reached)) != before
    return reached
