"""DS510's project phase: every SubDAG factory of the run and whether it can become a TaskGroup.

A factory is rewritten only when all of its uses are SubDagOperator calls that can move, its file
and theirs belong to an Airflow deployment, and every SubDagOperator inside it can move too
(decided to a fixed point: a nested SubDAG moves only with its outer factory). The facts are plain
data: {"factories": {"path::name": facts with "blocked" (a reason or None) and "sites"}}.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Optional

from dagshift.linter.syspath import plugin_folders
from dagshift.rules.dag_api.subdag import MARKER, Source, keyword, site_id, subdag_calls
from dagshift.rules.dag_api.subdag_factory import factory_facts
from dagshift.rules.dag_api.subdag_inline import site


def build(project: Any) -> dict:
    root = project.settings.root.resolve()
    python = {e.relpath: project.real_path(e.path) for e in project.files_of("python")}
    shown = {e.relpath: e.display for e in project.files_of("python")}  # (paths as the run shows them)
    sources: dict[str, Optional[Source]] = {}
    plugins = tuple(plugin_folders(project))

    def source(relpath: str, path: Optional[Path] = None) -> Optional[Source]:
        if relpath not in sources:
            sources[relpath] = _parse(path or root / relpath, relpath, root, plugins)
        return sources[relpath]

    factories: dict[str, Optional[dict]] = {}

    def factory(key: str, hops: int = 0) -> Optional[dict]:
        if key not in factories:
            relpath, name = key.split("::")
            src = source(relpath)
            fn = src.functions.get(name) if src is not None else None
            onward = src.factory_key(name) if src is not None and fn is None and hops < 3 else None
            if onward is not None and onward != key:  # re-exported (`helpers/__init__.py`): the same facts
                factories[key] = factory(onward, hops + 1)
            else:
                factories[key] = {**factory_facts(fn, src.bindings), "blocked": None} if fn is not None and src else None
        return factories[key]

    callers = [r for r, p in sorted(python.items()) if project.has(p, MARKER)]
    calls = {r: subdag_calls(src) for r in callers if (src := source(r, python[r])) is not None}

    # Only a function some SubDagOperator's `subdag=` calls is a factory: one that builds the parent
    # DAG around a SubDagOperator (`def create_dag(team): with DAG(...) as dag: ...`) is not.
    used = {key for r, found in calls.items() for c in found if (key := _factory_key(c, sources[r]))}

    def known(key: str) -> Optional[dict]:
        return factory(key) if key in used else None

    def sites_now() -> dict[str, list[dict]]:
        return {r: [site(c, sources[r], known) for c in found] for r, found in calls.items()}  # type: ignore[arg-type]

    _other_uses(project, python, factories, sites_now(), source, shown)
    sites = sites_now()
    for _ in range(len(factories) + 2):  # a fixed point: each round blocks more, or ends
        if not _block(project, python, factories, sites, shown):
            break
        sites = sites_now()
    for relpath, found in sorted(sites.items()):
        for call, decided in zip(calls[relpath], found):
            decided["id"] = site_id(call, sources[relpath])  # type: ignore[arg-type]
            facts = factories.get(decided["key"]) if decided["key"] else None
            if facts is not None:
                facts.setdefault("sites", []).append(f"{shown.get(relpath, relpath)}:{decided['line']}")
    return {"factories": {k: v for k, v in sorted(factories.items()) if v is not None},
            "sites": {r: found for r, found in sorted(sites.items()) if found}}


def _factory_key(call: ast.Call, src: Optional[Source]) -> Optional[str]:
    made = keyword(call, "subdag")
    if src is None or not isinstance(made, ast.Call):
        return None
    return src.callee_key(made.func)


def _parse(path: Path, relpath: str, root: Path, plugins: tuple) -> Optional[Source]:
    try:
        return Source(path, relpath, ast.parse(path.read_bytes()), root, plugins)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # the file's own checks report it


def _block(project: Any, python: dict, factories: dict, sites: dict, shown: dict) -> bool:
    """Block what cannot move this round; True when anything new was blocked."""
    changed = False

    def block(key: str, reason: str) -> None:
        nonlocal changed
        facts = factories.get(key)
        if facts is not None and not facts.get("reason") and not facts.get("blocked"):
            facts["blocked"] = reason
            changed = True

    model = getattr(project, "model", None)
    for key, facts in factories.items():
        relpath = key.split("::")[0]
        if facts is not None and relpath not in python:
            block(key, f"the factory's file {relpath} is not among the files dagshift checks")
        elif facts is not None and model is not None and model.member(relpath) is None:
            block(key, f"the factory's file {shown.get(relpath, relpath)} is outside the Airflow deployment")
    for relpath, found in sites.items():
        outside = model is not None and model.member(relpath) is None
        for s in found:
            where = shown.get(relpath, relpath)
            placed = f"{where} is outside the Airflow deployment" if outside else None
            if placed is None and s["key"] and model is not None:
                placed = _elsewhere(model, relpath, s["key"].split("::")[0], shown)
            reason = s["reason"] or placed
            if reason is None:
                continue
            if s["key"]:  # (where the files lie is said as it is: it is every caller's reason)
                block(s["key"], placed or f"its SubDagOperator `{s['group']}` at {where}:{s['line']} cannot move: {reason}")
            if s.get("outer"):
                block(s["outer"], f"the SubDagOperator `{s['group']}` inside it cannot move: {reason}")
            fn = _enclosing_key(relpath, s["line"], factories)
            if fn:
                block(fn, f"the SubDagOperator `{s['group']}` inside it cannot move: {reason}")
    return changed


def _elsewhere(model: Any, relpath: str, factory_path: str, shown: dict) -> Optional[str]:
    """A factory in another Airflow environment than its caller: one fix would land without the other."""
    mine, theirs = model.member(relpath), model.member(factory_path)
    if mine is not None and theirs is not None and mine.environment != theirs.environment:
        return f"its factory's file {shown.get(factory_path, factory_path)} belongs to another Airflow environment"
    return None


def _enclosing_key(relpath: str, line: int, factories: dict) -> Optional[str]:
    """The factory of this file whose body holds the line (a nested SubDagOperator's)."""
    for key, facts in factories.items():
        if facts is not None and key.startswith(relpath + "::") and facts.get("end", 0) >= line >= facts["line"]:
            return key
    return None


def _other_uses(project: Any, python: dict, factories: dict, sites: dict, source: Any, shown: dict) -> None:
    """A factory that other code calls too (a helper, another DAG without SubDagOperator) stays."""
    at_sites = {(r, s["line"]) for r, found in sites.items() for s in found}
    for key, facts in factories.items():
        if facts is None or facts.get("reason") or facts.get("blocked"):
            continue
        relpath, name = key.split("::")
        for other, path in sorted(python.items()):
            if not project.has(path, name.encode()) and other != relpath:
                continue
            src = source(other, path)
            if src is None:
                continue
            local = name if other == relpath else _imported_as(src, key)
            for node in ast.walk(src.tree):
                named = isinstance(node, ast.Name) and node.id == local
                if isinstance(node, ast.Attribute) and node.attr == name:  # `module.factory`
                    named = src.callee_key(node) == key
                if named and isinstance(getattr(node, "ctx", None), ast.Load):
                    call = src.parents.get(node)
                    kw = src.parents.get(call) if isinstance(call, ast.Call) else None
                    holder = src.parents.get(kw) if isinstance(kw, ast.keyword) else None
                    if not (isinstance(holder, ast.Call) and keyword(holder, "subdag") is call
                            and (other, holder.lineno) in at_sites):
                        facts["blocked"] = (f"`{name}` is also used at {shown.get(other, other)}:{getattr(node, 'lineno', 0)}, "
                                            "outside a SubDagOperator")
                        break
            if facts.get("blocked"):
                break


def _imported_as(src: Source, key: str) -> Optional[str]:
    for local in src.bindings:
        if src.factory_key(local) == key:
            return local
    return None
