"""What an operator's `__init__` takes out of `**kwargs` beyond the names it pops: the parameters of
what it hands `**kwargs` to (DataprocCreateClusterOperator -> ClusterGenerator), and the names a
filtering helper drops through module-level literals (QuboleOperator). Read with ast, for
scripts/gen_operator_signatures.py."""

from __future__ import annotations

import ast
from typing import Any

from wheelindex import bindings


def kwargs_splats(init: ast.FunctionDef) -> list[str]:
    """Names of the callables an `__init__` hands its whole `**kwargs` to besides its base class
    (`ClusterGenerator(**kwargs)`): their parameters are arguments the class consumes."""
    kw = init.args.kwarg.arg if init.args.kwarg else None
    found = []
    for node in ast.walk(init):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and kw is not None
                and any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kw for k in node.keywords)):
            found.append(node.func.id)
    return found


def callee_params(target: Any, module: str, name: str) -> set[str]:
    """The keyword parameters of a class defined in, or imported into, `module`."""
    wheel = target.wheel_for(module)
    tree = wheel.tree(module) if wheel else None
    if tree is None:
        return set()
    bound = bindings(tree, module, False)
    if bound.get(name) is not None:
        src_module, src_name = bound[name]  # type: ignore[misc]
        if src_module.startswith("airflow") and src_module != module:
            return callee_params(target, src_module, src_name)
        return set()
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)
    init = next((i for i in node.body if isinstance(i, ast.FunctionDef) and i.name == "__init__"), None) if node else None
    if init is None:
        return set()
    a = init.args
    return {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg != "self"}


def filtered_names(target: Any, module: str, cls: ast.ClassDef, init: ast.FunctionDef) -> set[str]:
    """QuboleOperator's way: `super().__init__(**self._get_filtered_args(kwargs))`, a method
    that drops the names listed in module-level literals (`COMMAND_ARGS`, `HYPHEN_ARGS`...,
    imported from its hook): every string of those literals is an argument it consumes."""
    kw = init.args.kwarg.arg if init.args.kwarg else None
    methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
    helpers = {n.func.attr for n in ast.walk(init) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and isinstance(n.func.value, ast.Name) and n.func.value.id == "self" and n.func.attr in methods
               and any(isinstance(a, ast.Name) and a.id == kw for a in n.args)}
    wheel = target.wheel_for(module)
    tree = wheel.tree(module) if wheel else None
    if tree is None:
        return set()
    bound = bindings(tree, module, False)
    found: set[str] = set()
    for helper in helpers:
        for name in {n.id for n in ast.walk(methods[helper]) if isinstance(n, ast.Name) and n.id.isupper()}:
            source, real = (bound[name] if bound.get(name) else (module, name))
            found |= _literal_strings(target, source, real)
    return found


def _literal_strings(target: Any, module: str, name: str) -> set[str]:
    wheel = target.wheel_for(module)
    tree = wheel.tree(module) if wheel else None
    for stmt in tree.body if tree is not None else []:
        if (isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
                and isinstance(stmt.value, (ast.Dict, ast.List, ast.Tuple, ast.Set))):
            # A dict's values (`{"hadoopcmd": ["sub_command"]}`: command types are keys, names values)
            parts = stmt.value.values if isinstance(stmt.value, ast.Dict) else [stmt.value]
            return {c.value for part in parts for c in ast.walk(part)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value.isidentifier()}
    return set()


def mutates(function: ast.FunctionDef, param: str) -> bool:
    """Whether a helper may take names out of the dict it receives as `param`."""
    for node in ast.walk(function):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                and node.func.value.id == param and node.func.attr in ("pop", "popitem", "clear")):
            return True
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == param \
                and isinstance(node.ctx, ast.Del):
            return True
    return False
