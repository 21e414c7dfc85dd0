"""Runs INSIDE an Airflow virtualenv (stdlib only), started by scripts/verify_identity.py.

Reads JSON from stdin: {"paths": [dotted, ...], "pairs": [[old, new], ...]}, and writes to the file
named by argv[1], for each path, whether it imports, where the object it names is defined
(`module.qualname`, or the module's own name) and the deprecation warnings importing it raised;
for each pair whose two paths import, whether they are the same object, or `old` a subclass of
`new` whose own body only warns (a deprecated alias). Only Airflow's own code is imported here.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import sys
import textwrap
import warnings
from typing import Any

MISSING = object()
_objects: dict[str, Any] = {}


def resolve(path: str) -> tuple[Any, list[str]]:
    """The object `path` names (MISSING if it does not import) and the warnings raised getting it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found: Any = MISSING
        module, _, name = path.rpartition(".")
        try:
            found = getattr(importlib.import_module(module), name)
        except Exception:  # noqa: BLE001 - any failure means "does not import"
            try:
                found = importlib.import_module(path)
            except Exception:  # noqa: BLE001
                found = MISSING
    texts = [str(w.message) for w in caught if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning,
                                                                          FutureWarning)) or "eprecat" in str(w.message)]
    return found, texts


def defined(obj: Any) -> Any:
    if inspect.ismodule(obj):
        return obj.__name__
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and "<" not in qualname:
        return f"{module}.{qualname}"
    return None


# What a class body gets without saying anything (the interpreter, abc, typing, attrs and
# BaseOperator's metaclass add these).
TRIVIAL = {"__module__", "__qualname__", "__doc__", "__init__", "__annotations__", "__static_attributes__",
           "__firstlineno__", "_abc_impl", "__dict__", "__weakref__", "__parameters__", "__orig_bases__",
           "_BaseOperator__init_kwargs", "__signature__", "_is_mapped", "__attrs_attrs__",
           "__deprecated__", "__new__"}  # (the `deprecated` decorators: a warning on construction)


def only_warns(cls: type) -> bool:
    """`cls.__init__` (if it has its own) only warns and hands every argument to its base."""
    init = vars(cls).get("__init__")
    if init is None:
        return True
    init = inspect.unwrap(init)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    except (OSError, TypeError, SyntaxError):
        return False
    func = tree.body[0]
    if not isinstance(func, ast.FunctionDef):
        return False
    passed = {a.arg for a in func.args.args[1:]} | {a.arg for a in func.args.kwonlyargs}
    for stmt in func.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not isinstance(call, ast.Call):
            return False
        name = getattr(call.func, "attr", getattr(call.func, "id", ""))
        if name == "warn":
            continue
        if name == "__init__" and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Call):
            given = {a.id for a in call.args if isinstance(a, ast.Name)}
            given |= {a.value.id for a in call.args if isinstance(a, ast.Starred) and isinstance(a.value, ast.Name)}
            given |= {k.arg for k in call.keywords if k.arg and isinstance(k.value, ast.Name) and k.value.id == k.arg}
            given |= {k.value.id for k in call.keywords if k.arg is None and isinstance(k.value, ast.Name)}
            starred = {a.value.id for a in call.args if isinstance(a, ast.Starred) and isinstance(a.value, ast.Name)}
            if (passed - {"args", "kwargs"}) - given or (func.args.vararg and func.args.vararg.arg not in starred):
                return False
            if func.args.kwarg and func.args.kwarg.arg not in given:
                return False
            continue
        return False
    return True


def alias_subclass(old: Any, new: Any) -> bool:
    if not (inspect.isclass(old) and inspect.isclass(new)) or old is new:
        return False
    if len(old.__mro__) < 2 or old.__mro__[1] is not new:
        return False
    return set(vars(old)) <= TRIVIAL and only_warns(old)


def main() -> None:
    data = json.load(sys.stdin)
    paths: dict[str, dict] = {}
    for path in data["paths"]:
        obj, texts = resolve(path)
        _objects[path] = obj
        paths[path] = {"ok": obj is not MISSING, "defined": defined(obj) if obj is not MISSING else None,
                       "warnings": texts[:3]}
    pairs = []
    for old, new in data["pairs"]:
        for path in (old, new):
            if path not in _objects:
                obj, texts = resolve(path)
                _objects[path] = obj
                paths[path] = {"ok": obj is not MISSING, "defined": defined(obj) if obj is not MISSING else None,
                               "warnings": texts[:3]}
        a, b = _objects[old], _objects[new]
        if a is MISSING or b is MISSING:
            pairs.append(None)
            continue
        # (`is` proves nothing for values the interpreter shares: None, small ints, interned strings)
        meaningful = inspect.isclass(a) or inspect.isroutine(a) or inspect.ismodule(a)
        try:
            alias = alias_subclass(a, b) or alias_subclass(b, a)
        except Exception:  # noqa: BLE001 - an object the checks cannot read: not an alias
            alias = False
        related = False
        if inspect.isclass(a) and inspect.isclass(b):
            try:
                related = issubclass(a, b) or issubclass(b, a)
            except TypeError:
                related = False
        pairs.append({"same": a is b and meaningful, "alias_subclass": alias, "related": related})
    config = configuration() if data.get("config") else None
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump({"paths": paths, "pairs": pairs, "config": config, "python": sys.version.split()[0]}, out)


def configuration() -> dict:
    """The options this Airflow defines, and its own table of renamed ones (new -> old)."""
    from airflow.configuration import conf

    loader = getattr(conf, "load_providers_configuration", None)
    if loader is not None:  # 2.7+: the providers' own options (celery's, fab's) join the description
        try:
            loader()
        except Exception:  # noqa: BLE001 - a provider's configuration that fails to load: core only
            pass
    renamed = [[new[0], new[1], old[0], old[1]] for new, old in conf.deprecated_options.items()]
    description = getattr(conf, "configuration_description", None)
    if description:
        options = [f"{s}.{k}" for s, v in description.items() for k in (v.get("options") or {})]
    else:
        defaults = conf.airflow_defaults
        options = [f"{s}.{k}" for s in defaults.sections() for k in defaults.options(s)]
    return {"renamed": renamed, "options": sorted(options)}


if __name__ == "__main__":
    main()
