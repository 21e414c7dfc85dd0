"""Operators the repository defines (plugins, `dags/operators/...`): what their `__init__` takes.

Built once per run in the project phase, with `ast` (never imported), from the plugins folders and
from every checked file that defines a class with an `__init__` and an Operator or Sensor base.
A DAG calling such a class with a keyword that neither its `__init__` (through the repository's
own bases) nor the Airflow class it hands `**kwargs` to takes fails on Airflow 2 with "Invalid
arguments were passed", where Airflow 1.10 only warned and ignored it.

The facts are plain data (they go into the cache key):
  {"classes": {ClassName: [entry, ...]}} with entry = {"path", "module", "bases": [dotted, ...],
  "init": bool, "params": [...], "var_kw": bool, "passes": bool, "reads": bool}
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Optional

from dagshift.linter.syspath import module_bindings, module_name, package_root, plugin_folders

MARKERS = (b"Operator", b"Sensor")
# What a file must hold to be read further: DS502's project_markers (one read per file, shared).
SNIFF = (b"def __init__",) + MARKERS


def build(project: Any) -> dict:
    classes: dict[str, list[dict]] = {}
    seen: set[Path] = set()
    root = project.settings.root.resolve()
    # Most files hold no operator class with an __init__: not read again, not parsed.
    candidates: list[tuple[Path, Optional[Path]]] = [
        (p, folder) for folder in plugin_folders(project) for p in sorted(folder.rglob("*.py")) if _sniffed(project, p)]
    candidates += [(project.real_path(e.path), None) for e in project.files_of("python") if _sniffed(project, e.path)]
    for path, folder in candidates:
        if path in seen:
            continue
        seen.add(path)
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        try:
            tree = ast.parse(raw)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # the file's own checks report it
        base_root = folder or package_root(path)
        module = module_name(path, base_root)
        shown = path.relative_to(root).as_posix() if root in path.parents else path.name
        for entry in _classes(tree, module, path.name == "__init__.py"):
            entry["path"] = shown
            classes.setdefault(entry.pop("name"), []).append(entry)
    return {"classes": {name: sorted(found, key=lambda e: e["path"]) for name, found in sorted(classes.items())},
            "called": sorted(n for n in classes if n.endswith(("Operator", "Sensor")))}


def _sniffed(project: Any, path: Path) -> bool:
    return project.has(path, b"def __init__") and any(project.has(path, m) for m in MARKERS)


def _imports(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """Top-level names -> the dotted path they denote (relative imports resolved)."""
    bound, _ = module_bindings(tree, module, is_package)
    found: dict[str, str] = {}
    for name, origin in bound.items():
        if origin is None:
            found[name] = f"{module}.{name}"  # defined here
        else:
            source, imported = origin  # `from source import imported`, or `import source` ("")
            found[name] = f"{source}.{imported}" if source and imported else source or imported
    return found


def _dotted(node: ast.expr, names: dict[str, str]) -> Optional[str]:
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value, names)
        return f"{head}.{node.attr}" if head else None
    return None


def _classes(tree: ast.Module, module: str, is_package: bool) -> list[dict]:
    names = _imports(tree, module, is_package)
    found = []
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef) or not cls.bases:
            continue
        bases = [_dotted(b, names) or "?" for b in cls.bases]
        entry: dict[str, Any] = {"name": cls.name, "module": module, "bases": bases, "init": False,
                                 "params": [], "var_kw": False, "passes": False, "reads": False}
        init = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
        if init is not None:
            entry.update(_init_facts(init))
        found.append(entry)
    return found


def _init_facts(init: ast.FunctionDef) -> dict[str, Any]:
    args = init.args
    params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs][1:] if args.args else [
        a.arg for a in args.kwonlyargs]
    kwargs = args.kwarg.arg if args.kwarg else None
    passes = reads = False
    for node in ast.walk(init):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__":
            if any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kwargs for k in node.keywords):
                passes = True
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == kwargs:
            reads = True  # kwargs.pop(...), kwargs.get(...), kwargs.update(...)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == kwargs:
            reads = True
        elif isinstance(node, ast.Call) and any(isinstance(a, ast.Name) and a.id == kwargs for a in node.args):
            reads = True  # handed to a function as a dict: anything may happen to it
    return {"init": True, "params": params, "var_kw": kwargs is not None, "passes": passes, "reads": reads}


# -- reading the facts at a call site --------------------------------------------------------


def lookup(facts: dict, name: str, near: str = "") -> Optional[dict]:
    """The repository class of that name a file at `near` (relative to the project root) sees:
    the only one, or the one whose file shares the most folders with it (a repository holding
    several Airflow projects, each with its own plugins); None when that does not decide."""
    found = facts.get("repo_operators", {}).get("classes", {}).get(name, [])
    if len(found) <= 1:
        return found[0] if found else None
    here = near.split("/")[:-1]

    def shared(entry: dict) -> int:
        there = entry["path"].split("/")[:-1]
        count = 0
        for a, b in zip(here, there):
            if a != b:
                break
            count += 1
        return count

    ranked = sorted(found, key=shared, reverse=True)
    return ranked[0] if shared(ranked[0]) > shared(ranked[1]) else None


def accepted(facts: dict, target: str, entry: dict, depth: int = 0) -> Optional[tuple[frozenset[str], str]]:
    """(the keywords a call of the class can pass, the Airflow class the check ends at), or None
    when nothing can be proved: a base dagshift cannot resolve, `**kwargs` read or kept by the
    repository's code, or an Airflow base that reads `**kwargs` itself."""
    if depth > 8:
        return None
    own = frozenset(entry["params"])
    if entry["init"]:
        if not entry["var_kw"]:
            return own, ""  # no **kwargs: Python itself rejects any other keyword (TypeError)
        if entry["reads"] or not entry["passes"]:
            return None
    # The first base that is Airflow's or the repository's (mixins from elsewhere are skipped).
    base = next((b for b in entry["bases"]
                 if b.startswith("airflow.") or lookup(facts, b.rsplit(".", 1)[-1], entry["path"]) is not None), None)
    if base is None:
        return None
    inner = lookup(facts, base.rsplit(".", 1)[-1], entry["path"]) if not base.startswith("airflow.") else None
    if inner is not None:
        if inner is entry:
            return None
        found = accepted(facts, target, inner, depth + 1)
        return None if found is None else (own | found[0], found[1])
    resolved = _airflow_class(target, base)
    if resolved is None:
        return None
    return own | resolved[1], resolved[0]


def _airflow_class(target: str, path: str) -> Optional[tuple[str, frozenset[str]]]:
    """(the class's path on the target, the keywords it takes) for an Airflow operator base, as a
    repository names it (`airflow.models.BaseOperator`, a 1.10 path), or None (unknown, or it reads
    `**kwargs` itself)."""
    from dagshift.linter.tables import load_table
    from dagshift.rules.dag_api.screen import consumes_kwargs, signatures, successor

    path = successor(target, path)  # (a 1.10 path's destination, a 2.x path's Airflow 3 home)
    known = signatures(target)
    short = path.rsplit(".", 1)[-1]
    if path not in known:
        if short == "BaseOperator":
            base = load_table("operator_args", "targets")["targets"][target]["BaseOperator"]
            return "airflow.models.baseoperator.BaseOperator", frozenset(base)
        package = ".".join(path.split(".")[:2]) + "."  # airflow.models.X -> airflow.models.x.X
        same = [k for k in known if k.endswith("." + short) and k.startswith(package)]
        if len(same) != 1:
            return None
        path = same[0]
    if path in consumes_kwargs(target):
        return None
    return path, known[path]


def screen(text: str, facts: dict, target: str) -> bool:
    """Whether the text may pass a repository operator a keyword it does not take (a second chance
    for DS502's text screen): only names DS502 looks at (…Operator, …Sensor), so a repository of many
    classes costs no more, and a call whose own keywords every class of that name takes is cleared."""
    from dagshift.rules.dag_api.screen import HANDLED, own_keywords

    repo = facts.get("repo_operators", {})
    for name in repo.get("called", ()):
        literal = f"{name}("
        at = text.find(literal)
        if at < 0:
            continue
        taken = _taken_by_all(repo, facts, target, name)
        while at >= 0:
            if taken is not None and not text.startswith("class ", max(0, at - 6)):
                keywords = own_keywords(text, at + len(name), len(text))[1]
                if not taken.issuperset(k for k in keywords if k not in HANDLED):
                    return True
            at = text.find(literal, at + 1)
    return False


_TAKEN: dict[tuple[str, str], Optional[frozenset[str]]] = {}
_TAKEN_OF: list[Any] = [None]  # the facts _TAKEN holds answers for


def _taken_by_all(repo: dict, facts: dict, target: str, name: str) -> Optional[frozenset[str]]:
    """The keywords every class of that name provably takes (the file's own may be any of them),
    or None when none can be judged (DS502 then says nothing of the call either)."""
    if _TAKEN_OF[0] is not repo:
        _TAKEN.clear()
        _TAKEN_OF[0] = repo
    key = (target, name)
    if key not in _TAKEN:
        found = [accepted(facts, target, entry) for entry in repo.get("classes", {}).get(name, [])]
        sets = [f[0] for f in found if f is not None]
        _TAKEN[key] = frozenset.intersection(*sets) if sets else None
    return _TAKEN[key]
