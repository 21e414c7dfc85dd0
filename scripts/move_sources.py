"""What the import-moves generator reads from the wheels: the 1.10 public paths, the upgrade
check's renamed classes, and the public names of a provider version. Only zipfile and ast."""

from __future__ import annotations

import ast
from typing import Optional

from wheelindex import Wheel, bindings, classes_and_functions, public_assignments, warns_at_import

# 1.10 packages whose public names DAGs and plugins import.
SCOPE = (
    "airflow.contrib.", "airflow.operators.", "airflow.hooks.", "airflow.sensors.", "airflow.secrets.",
    "airflow.utils.", "airflow.executors.", "airflow.jobs.", "airflow.macros.",
)
SKIP = (".example_dags", ".tests", "airflow.utils.log.logging_mixin")
PACKAGE_ALIASES = ("_operators", "_hooks", "_sensors")


def inventory(wheel: Wheel) -> dict[str, Optional[str]]:
    """1.10 public 'module.Name' paths -> the path they alias (package-level names), or None."""
    paths: dict[str, Optional[str]] = {}
    for module in wheel.modules("airflow/"):
        is_package = module + "." in SCOPE
        if not module.startswith(SCOPE) and not is_package:
            continue
        if any(s in module for s in SKIP):
            continue
        tree = wheel.tree(module)
        assert tree is not None
        for name in [*classes_and_functions(tree), *public_assignments(tree)]:
            paths[f"{module}.{name}"] = None
        if is_package:  # `from airflow.jobs import BaseJob`: a package re-exporting its own classes
            for name, origin in bindings(tree, module, True).items():
                if origin and origin[0].startswith(module + ".") and origin[1] and not name.startswith("_"):
                    paths.setdefault(f"{module}.{name}", f"{origin[0]}.{origin[1]}")
        for stmt in tree.body:  # 1.10 lazy package maps: `from airflow.operators import BashOperator`
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id in PACKAGE_ALIASES:
                try:
                    table = ast.literal_eval(stmt.value)
                except ValueError:
                    continue
                for sub, names in table.items():
                    for name in names:
                        paths.setdefault(f"{module}.{name}", f"{module}.{sub}.{name}")
    return paths


def renamed_classes(wheel: Wheel) -> dict[str, str]:
    tree = wheel.tree("airflow.upgrade.rules.renamed_classes")
    assert tree is not None
    table: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.List):
            for item in ast.literal_eval(stmt.value):
                new, old = item
                table.setdefault(old, new)
    return table


class ClassFinder:
    """Unique same-name class in a provider version (skipping its own deprecated shim modules)."""

    def __init__(self) -> None:
        self.cache: dict[str, dict[str, list[str]]] = {}

    def find(self, wheel: Wheel, name: str) -> Optional[str]:
        key = str(wheel.path)
        if key not in self.cache:
            index: dict[str, list[str]] = {}
            for module in wheel.modules("airflow/providers/"):
                if ".example_dags" in module or ".tests" in module:
                    continue
                tree = wheel.tree(module)
                if tree is None or warns_at_import(tree):
                    continue
                for stmt in tree.body:
                    if isinstance(stmt, ast.ClassDef) and not stmt.name.startswith("_"):
                        index.setdefault(stmt.name, []).append(module)
            self.cache[key] = index
        found = self.cache[key].get(name, [])
        return found[0] if len(found) == 1 else None


def _is_warn(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) == "warn"


def _pure_alias(cls: ast.ClassDef) -> bool:
    """The class adds nothing to its base: no body but a docstring, `pass`, and an `__init__(self,
    [*args,] **kwargs)` that warns and hands everything to super() unchanged."""
    for stmt in cls.body:
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue
        if not isinstance(stmt, ast.FunctionDef) or stmt.name != "__init__":
            return False
        args = stmt.args
        if [a.arg for a in args.args] != ["self"] or args.kwonlyargs or not args.kwarg:
            return False
        positional = 1 if args.vararg else 0  # `(self, **kwargs)` is as plain as `(self, *args, **kwargs)`
        for inner in stmt.body:
            if isinstance(inner, ast.Expr) and (_is_warn(inner.value) or isinstance(inner.value, ast.Constant)):
                continue
            call = inner.value if isinstance(inner, ast.Expr) else None
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "__init__"
                    and len(call.args) == positional and all(isinstance(a, ast.Starred) for a in call.args)
                    and len(call.keywords) == 1 and call.keywords[0].arg is None):
                return False
    return True


def _message(node: ast.AST) -> str:
    """The literal text of a deprecation message (implicit concatenation included; '' for f-strings)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return " ".join(node.value.split())
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _message(node.left), _message(node.right)
        return f"{left} {right}".strip() if left and right else ""
    return ""


def deprecation_messages(wheel: Wheel) -> dict[str, str]:
    """'module.Class' -> what the provider's deprecation of the class says (its `warnings.warn`
    text in `__init__`, or the `reason` of a `@deprecated` decorator), for classes that are not
    plain aliases: the hint a later version that dropped the class can still give."""
    found: dict[str, str] = {}
    for module in wheel.modules("airflow/providers/"):
        if ".example_dags" in module or ".tests" in module:
            continue
        tree = wheel.tree(module)
        for cls in tree.body if tree is not None else ():
            if not isinstance(cls, ast.ClassDef):
                continue
            texts = [_message(k.value) for d in cls.decorator_list if isinstance(d, ast.Call)
                     and getattr(d.func, "id", "") == "deprecated" for k in d.keywords if k.arg == "reason"]
            init = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
            for stmt in init.body if init is not None else ():
                # A warning at the top of __init__ is about the class; one inside an `if` is about an argument.
                if isinstance(stmt, ast.Expr) and _is_warn(stmt.value) and stmt.value.args:  # type: ignore[attr-defined]
                    texts.append(_message(stmt.value.args[0]))  # type: ignore[attr-defined]
            text = next((t for t in texts if t), "")
            if text and ("deprecat" in text.lower() or "use" in text.lower()):
                found[f"{module}.{cls.name}"] = text
    return found


def deprecated_aliases(wheel: Wheel) -> dict[str, str]:
    """Classes a provider version keeps only as deprecated aliases of their new name:
    'module.Old' -> 'module.New'.

    Read from the providers' own deprecation code: a subclass that adds nothing (`_pure_alias`)
    and warns (`warnings.warn`, or a `@deprecated` decorator). Later versions that drop `Old`
    still have the lead to `New`, and the rename is exact: same arguments, same behaviour."""
    found: dict[str, str] = {}
    for module in wheel.modules("airflow/providers/"):
        if ".example_dags" in module or ".tests" in module:
            continue
        tree = wheel.tree(module)
        if tree is None:
            continue
        bound = None
        for cls in tree.body:
            if not isinstance(cls, ast.ClassDef) or len(cls.bases) != 1 or not isinstance(cls.bases[0], ast.Name):
                continue
            decorated = any((getattr(d.func, "id", "") if isinstance(d, ast.Call) else getattr(d, "id", "")) == "deprecated"
                            for d in cls.decorator_list)
            if not decorated and not any(_is_warn(n) for n in ast.walk(cls)) or not _pure_alias(cls):
                continue
            if bound is None:
                bound = bindings(tree, module, (wheel.module_file(module) or "").endswith("__init__.py"))
            base = cls.bases[0].id
            if base not in bound:
                continue
            origin = bound[base]
            new = f"{module}.{base}" if origin is None else f"{origin[0]}.{origin[1]}"
            if new.split(".")[0] == "airflow" and not new.endswith("."):
                found[f"{module}.{cls.name}"] = new
    return found
