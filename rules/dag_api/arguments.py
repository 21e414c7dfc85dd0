"""DS502 on one operator call: the arguments the target's class does not take, renames from the
providers' own deprecation code, and the arguments a class dropped (the visitor of analysis.py
calls these with itself: its file context, its target and its findings)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from dagshift.fixers.arguments import drop_item, rename_keyword
from dagshift.linter.diagnostics import SAFE, UNSAFE, Fix
from dagshift.linter.findings import Finding
from dagshift.rules.dag_api import severity
from dagshift.rules.dag_api.screen import (
    ARGUMENT_RENAMES,
    CLASS_ARGUMENT_CHANGES,
    HANDLED,
    argument_renames,
    consumes_kwargs,
    signatures,
    successor,
)
from dagshift.rules.dag_api.where import refused

INVALID = '"Invalid arguments were passed"'


def class_argument(v: Any, name: str, args: list[cst.Arg], index: int) -> None:
    """An argument one class dropped (CLASS_ARGUMENT_CHANGES), when its signature on the target lacks it."""
    arg = args[index]
    key = arg.keyword.value  # type: ignore[union-attr]
    path, new, hint, delete = CLASS_ARGUMENT_CHANGES[(name, key)]
    accepted = signatures(v.target).get(path) or signatures(v.target).get(successor(v.target, path))
    if accepted is None or key in accepted:
        return
    fix = rename_keyword(v.ctx, arg, new) if new else None
    if delete:
        fix = _delete_argument(v, args, index, key)
    v.findings.append(Finding("DS502", arg.keyword, (
        f"{name} has no `{key}` on Airflow {v.target}: {hint}"
    ), severity.ARGUMENT_REFUSED, fix))


def _delete_argument(v: Any, args: list[cst.Arg], index: int, key: str) -> Fix:
    """Delete the argument; when its value calls an imported name used nowhere else
    (`executor=get_default_executor()`), delete that import too."""
    from dagshift.fixers.imports import remove_imported_name

    dropped = drop_item(v.ctx, args, index, key)
    value = args[index].value
    func = value.func if isinstance(value, cst.Call) else None
    if isinstance(func, cst.Name):
        bound = v.ctx.imports.by_local.get(func.value, [])
        sites = v.ctx.name_uses.rename_sites(func.value)
        if len(bound) == 1 and not bound[0].enclosing and sites is not None and len(sites) == 1:
            edits = (*dropped.edits, remove_imported_name(v.ctx, bound[0]))
            return Fix(edits, SAFE, f"remove `{key}` and the import only it used")
    return dropped


def signature_findings(v: Any, qualified: str, name: str, args: list[cst.Arg]) -> None:
    """Keywords the target's class (found through the import tables) does not accept at all."""
    from dagshift.rules.imports.tables import tables

    entry = tables(v.target).entries.get(qualified)
    cls = entry.get("to") if entry else qualified
    if cls and cls not in signatures(v.target):
        cls = successor(v.target, cls)
    accepted = signatures(v.target).get(cls or "")
    if accepted is None:
        repo_findings(v, name, args)
        return
    keywords = {a.keyword.value for a in args if a.keyword is not None}
    renames = argument_renames(v.target).get(cls or "", {})
    for arg in args:
        key = arg.keyword.value if arg.keyword is not None else None
        if key is None or key in HANDLED:
            continue
        if key in accepted:
            if key in renames and renames[key] in accepted:
                _deprecated_argument(v, cls or "", arg, renames[key], keywords)
            continue
        if (name, key) in CLASS_ARGUMENT_CHANGES:
            continue  # reported with their own words by class_argument
        new = renames.get(key) or ARGUMENT_RENAMES.get(key)
        fix = None
        if new and new in accepted and new not in keywords:
            fix = rename_keyword(v.ctx, arg, new)
        hint = f"; it is now `{new}`" if fix else ""
        short = (cls or "").rsplit(".", 1)[-1]
        if cls in consumes_kwargs(v.target):
            # Taken out of **kwargs by the class itself: no proof that the DAG fails.
            v.findings.append(Finding("DS502", arg.keyword, (
                f"`{key}` is not an argument {short} declares on Airflow {v.target} (with the provider "
                f"versions it pins){hint}; {short} reads arguments out of `**kwargs` itself, so it may take "
                "or ignore it: check it against the operator's documentation"
            ), severity.ARGUMENT_WARNED, fix))
            continue
        v.findings.append(Finding("DS502", arg.keyword, (
            f"`{key}` is not an argument of {short} on Airflow {v.target} "
            f"(with the provider versions it pins){hint}: {refused(v.ctx, arg, INVALID)}"
        ), severity.ARGUMENT_REFUSED, fix))


def repo_findings(v: Any, name: str, args: list[cst.Arg]) -> None:
    """A call of an operator class the repository defines: keywords neither its `__init__` chain
    nor the Airflow class that chain hands `**kwargs` to takes (rules/dag_api/repo_operators.py)."""
    from dagshift.rules.dag_api.repo_operators import accepted, lookup

    entry = lookup(v.ctx.facts, name, v.ctx.relpath)
    found = accepted(v.ctx.facts, v.target, entry) if entry is not None else None
    if entry is None or found is None:
        return
    taken, airflow = found
    where = f" or of the Airflow class it passes `**kwargs` to ({airflow.rsplit('.', 1)[-1]})" if airflow else ""
    outcome = INVALID if airflow else "a TypeError (its `__init__` takes no `**kwargs`)"
    for index, arg in enumerate(args):
        key = arg.keyword.value if arg.keyword is not None else None
        if key is None or key in taken or key in HANDLED:
            continue
        # Airflow 1.10's BaseOperator warned and dropped such an argument; Airflow 2 fails. Deleting it
        # keeps what 1.10 did, but it may be a typo of an argument meant to work: an unsafe fix.
        v.findings.append(Finding("DS502", arg.keyword, (
            f"`{key}` is not an argument of {name} ({entry['path']}){where} on Airflow {v.target}: "
            f"{refused(v.ctx, arg, outcome)}; Airflow 1.10 ignored it"
        ), severity.ARGUMENT_REFUSED, Fix(drop_item(v.ctx, args, index, key).edits, UNSAFE, f"remove `{key}=`")))


def _deprecated_argument(v: Any, cls: str, arg: cst.Arg, new: str, keywords: set[str]) -> None:
    """An argument the class still takes, but renames with a deprecation warning."""
    key = arg.keyword.value  # type: ignore[union-attr]
    short = cls.rsplit(".", 1)[-1]
    fix = rename_keyword(v.ctx, arg, new) if new not in keywords else None
    v.findings.append(Finding("DS502", arg.keyword, (
        f"`{key}` is deprecated on {short} on Airflow {v.target} (with the provider versions it pins): "
        f"use `{new}`"
    ), severity.ARGUMENT_WARNED, fix))
