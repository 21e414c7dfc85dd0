"""What DS515 finds: a call of an operator class its provider replaced by another class with other
arguments (data/operator_replacements.json, scripts/gen_operator_replacements.py), with the fix that
rewrites the import, the class and the arguments.

Called from the DS5xx visitor (rules/dag_api/analysis.py) for every call it resolves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import libcst as cst

from dagshift.fixers.calls import DictValue, Value, argument_indent, has_comments, line_comments, rewrite_call
from dagshift.fixers.imports import import_line, remove_imported_name
from dagshift.fixers.lines import line_start
from dagshift.linter.diagnostics import UNSAFE, Edit, Fix
from dagshift.linter.findings import Finding
from dagshift.rules.dag_api.replacement_env import dict_key_elsewhere, successor_install
from dagshift.rules.dag_api.replacement_imports import replaced_imports as replaced_imports
from dagshift.rules.dag_api.replacement_imports import severity
from dagshift.rules.dag_api.tables import GONE, Replaced, replaced


@dataclass
class _Plan:
    """The successor's arguments, what the message says of them, and why there is no fix."""

    arguments: list[tuple[str, Value]] = field(default_factory=list)
    folds: dict[str, DictValue] = field(default_factory=dict)  # `hook_params`, `configuration`
    said: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    sources: list[tuple[cst.Arg, str]] = field(default_factory=list)  # (argument, keyword) written one to one
    quote: str = '"'  # the quote the call writes its strings in
    config: str = "configuration"  # the dict argument a `config` path goes into (`table_resource`)
    seed: Optional[str] = "query"  # the key that dict is written with first

    def key(self, text: str) -> str:
        """A dict key the fix writes, in the call's quotes (keys are identifiers: nothing to escape)."""
        return f"{self.quote}{text}{self.quote}"


def replaced_call(visitor: Any, node: cst.Call, qualified: str) -> None:
    found = replaced(visitor.target, qualified)
    if found is None or _fallback(visitor, node.func):
        return
    entry = found.entry
    successor = entry["successor"].rpartition(".")[2]
    strings = visitor.ctx.module.code_for_node(node)
    visitor.quote = "'" if strings.count("'") > strings.count('"') else '"'
    plan = _plan(visitor, node, found)
    missing, note = successor_install(visitor.ctx, entry)
    plan.blockers.extend([missing] if missing else [])
    plan.said.extend([note] if note else [])
    if not plan.blockers and not _successor_imports(visitor.target, entry["successor"]):
        plan.blockers.append(f"`{entry['successor']}` does not import on Airflow {visitor.target} (its provider is "
                             "not pinned there, or has no such class)")
    old = qualified.rpartition(".")[2]
    dist = entry["dist"]
    if found.status == GONE:
        state = f"is gone from {dist} {found.version}, which Airflow {visitor.target} pins: the DAG fails to load"
    else:
        state = f"is deprecated in {dist} {found.version} (Airflow {visitor.target}'s pin)"
    changes = "; ".join(plan.said)
    message = f"`{old}` {state}; use `{successor}` (`{entry['successor']}`)" + (f": {changes}" if changes else "")
    fix = None
    if plan.blockers:
        message += "; no fix: " + "; ".join(plan.blockers)
    else:
        fix, reason = _fix(visitor, node, found, plan)
        if fix is None:
            message += f"; no fix: {reason}"
    visitor.findings.append(Finding("DS515", node.func, message, severity=severity(found), fix=fix))
    visitor.replaced_sites.add(id(node.func))


def _fallback(visitor: Any, func: cst.BaseExpression) -> bool:
    """A name bound by a try/except version fallback where another binding works on the target
    (`except ImportError: from ...postgres import PostgresOperator as SQLExecuteQueryOperator`)."""
    if not isinstance(func, cst.Name):
        return False
    bindings = visitor.ctx.imports.by_local.get(func.value, [])
    return len(bindings) > 1 and any(replaced(visitor.target, b.qualified) is None for b in bindings)


def _successor_imports(target: str, successor: str) -> bool:
    """Whether the successor imports cleanly on the target (the import rules' closed world): a fix
    must not write an import that fails (DruidCheckOperator's successor on a target without
    common-sql)."""
    from dagshift.rules.imports.tables import closed_world, tables

    module, _, name = successor.rpartition(".")
    return closed_world(tables(target), module, name) is None and tables(target).dist_of(module) is not None


def _plan(visitor: Any, node: cst.Call, found: Replaced) -> _Plan:
    entry = found.entry
    plan = _Plan(quote=visitor.quote, config=entry.get("config_argument", "configuration"),
                 seed=entry.get("config_seed", "query"))
    if entry.get("unmapped"):
        plan.blockers.append(entry["unmapped"])
        return plan
    args = list(node.args)
    if any(a.keyword is None for a in args):
        plan.blockers.append("positional or `**` arguments: which argument is which cannot be read")
        return plan
    present = {a.keyword.value: a for a in args if a.keyword is not None}
    for name, mapped in entry["arguments"].items():
        if name in present:
            continue
        # A dict key of the file (not a string that happens to match: `DAG("database")`), outside the
        # dicts DS515's own fixes write.
        elsewhere = ((mapped.get("default_args") or "rename" in mapped or "fold" in mapped)
                     and dict_key_elsewhere(visitor.ctx.module, name, plan.config))
        if elsewhere:
            plan.blockers.append(f"`{name}` may come from `default_args` (the file names it in a dict): the "
                                 "successor would not take it; move it to the call, then fix")
    for arg in args:
        assert arg.keyword is not None
        _argument(visitor, plan, found, arg, present)
    for key, value in entry.get("successor_adds", {}).items():
        plan.arguments.append((key, plan.key(value)))  # (`runner="DataflowRunner"`)
        plan.said.append(f"`{key}={plan.key(value)}` is written")
    _defaults(visitor, plan, entry, present)
    plan.said.extend(entry.get("says", ()))  # (what changes whatever the call passes)
    if entry.get("config_required") and not any(key == plan.config for key, _ in plan.arguments):
        plan.arguments.append((plan.config, "{}"))
        plan.said.append(f"`{plan.config}={{}}` is written ({entry['config_required']})")
    written = [key for key, _ in plan.arguments]
    for key in sorted({k for k in written if written.count(k) > 1}):
        plan.blockers.append(f"two arguments become `{key}=` (say which one the task means)")
    return plan


def _code(visitor: Any, node: cst.CSTNode) -> str:
    return visitor.ctx.module.code_for_node(node)


def _argument(visitor: Any, plan: _Plan, found: Replaced, arg: cst.Arg, present: dict) -> None:
    """One argument of the old call: where it goes in the successor's call."""
    assert arg.keyword is not None
    key = arg.keyword.value
    entry = found.entry
    mapped = {k: v for k, v in entry["arguments"].get(key, {}).items() if k not in ("old_default", "provenance")}
    code = _code(visitor, arg.value)
    successor = entry["successor"].rpartition(".")[2]
    if not mapped:
        if key in _fold_targets(entry):
            _spread(visitor, plan, key, arg.value)
        elif _accepted(visitor, entry, key):
            plan.arguments.append((key, code))
            plan.sources.append((arg, key))
        else:
            plan.blockers.append(f"`{key}` is not an argument of `{successor}` on Airflow {visitor.target}")
        return
    if "none" in mapped:
        plan.blockers.append(f"`{key}`: {mapped['none']}")
    elif mapped.get("conflicts") in present:
        plan.blockers.append(f"`{key}` with `{mapped['conflicts']}`: {mapped['conflict']}")
    elif "drop" in mapped:
        plan.said.append(f"`{key}` is dropped ({mapped['drop']})")
    elif mapped.get("keep"):
        plan.arguments.append((key, code))
        plan.sources.append((arg, key))
        if "also_config" in mapped:  # (read from there too: DataflowConfiguration's `gcp_conn_id`)
            _set_path(plan, mapped["also_config"], code)
            plan.said.append(f"`{key}=` also goes into `{plan.config}` as `{_path_words(mapped['also_config'])}`")
    elif "rename" in mapped:
        value = _transformed(visitor, plan, mapped, arg, present)
        if value is not None:
            plan.arguments.append((mapped["rename"], value))
            plan.sources.append((arg, mapped["rename"]))
            plan.said.append(f"`{key}=` becomes `{mapped['rename']}=`" + _words(mapped))
            if "adds" in mapped:
                name, _, added = mapped["adds"].partition("=")
                plan.arguments.append((name, added))
    elif "fold" in mapped:
        value = _transformed(visitor, plan, mapped, arg, present)
        into = _fold_key(found, key, mapped["key"])
        if value is not None:
            _fold(plan, mapped["fold"], plan.key(into), value)
            plan.said.append(f"`{key}=` goes into `{mapped['fold']}[{into!r}]`" + _words(mapped))
    elif "config" in mapped:
        _configuration(visitor, plan, mapped, arg, present)


def _accepted(visitor: Any, entry: dict, key: str) -> bool:
    """Whether the successor takes the argument on the target (data/operator_signatures.json; where
    the table does not know the class, BaseOperator's (and a sensor's BaseSensorOperator's)
    arguments, and any for a class that inherits the successor and hands it its `**kwargs`)."""
    from dagshift.rules.dag_api.screen import signatures

    accepted = signatures(visitor.target).get(entry["successor"])
    if accepted is not None:
        return key in accepted
    if entry["successor"].endswith("Sensor"):
        from dagshift.linter.tables import load_table

        sensor = load_table("operator_args", "targets")["targets"][visitor.target].get("BaseSensorOperator", ())
        if key in sensor:
            return True
    return bool(entry.get("inherits")) or key in visitor.base_args


def _spread(visitor: Any, plan: _Plan, into: str, value: cst.BaseExpression) -> None:
    """The dict the call already passed as `hook_params=`, after the folded keys (its keys win, as
    they did in the old class's `{"schema": database, **hook_params}`): a literal's entries, else `**`."""
    if isinstance(value, cst.Dict) and all(isinstance(e, cst.DictElement) for e in value.elements):
        for element in value.elements:
            assert isinstance(element, cst.DictElement)
            _fold(plan, into, None, f"{_code(visitor, element.key)}: {_code(visitor, element.value)}")
        return
    _fold(plan, into, None, f"**{_code(visitor, value)}")


def _fold_key(found: Replaced, argument: str, newest: str) -> str:
    """The key the target's own release of the class folds the argument under, where releases
    differ (its hook reads that one); the newest release's for a class the target no longer has."""
    from dagshift.linter.targets import version_tuple

    key = newest
    if found.status != GONE:
        for first, folds in sorted(found.entry.get("fold_keys", {}).items(), key=lambda item: version_tuple(item[0])):
            if version_tuple(first) <= version_tuple(found.version) and argument in folds:
                key = folds[argument]
    return key


def _fold_targets(entry: dict) -> set[str]:
    return {m["fold"] for m in entry["arguments"].values() if "fold" in m}


def _fold(plan: _Plan, into: str, key: Optional[str], value: Value) -> None:
    """An entry of a dict argument the fix builds; the argument takes its place at the first one.
    A key None is an entry of the dict the call already passed, written whole (`**x` or `"k": v`),
    after the folded ones (its keys win, as they did)."""
    if into not in plan.folds:
        plan.folds[into] = []
        plan.arguments.append((into, plan.folds[into]))
    items = plan.folds[into]
    if key is None:
        items.append((str(value), None))
        return
    whole = [i for i, (_, v) in enumerate(items) if v is None]
    items.insert(whole[0] if whole else len(items), (key, value))


def _configuration(visitor: Any, plan: _Plan, mapped: dict, arg: cst.Arg, present: dict) -> None:
    """An argument that becomes part of BigQueryInsertJobOperator's `configuration` dict."""
    assert arg.keyword is not None
    key = arg.keyword.value
    requires = mapped.get("requires")
    if requires and requires not in present:
        plan.said.append(f"`{key}` is dropped ({mapped['otherwise']})")
        return
    if "omit_empty" in mapped and _code(visitor, arg.value) in ("None", "{}", "[]", "()"):
        plan.said.append(f"`{key}` is dropped ({mapped['omit_empty']})")
        return
    if mapped["config"] == "query.query" and isinstance(arg.value, (cst.List, cst.Tuple)):
        plan.blockers.append(f"`{key}` is a list: it ran one job per statement, and a job configuration holds one "
                             "query (one BigQueryInsertJobOperator per statement)")
        return
    value = _transformed(visitor, plan, mapped, arg, present)
    if value is None:
        return
    _set_path(plan, mapped["config"], value)
    plan.said.append(f"`{key}=` goes into `{plan.config}` as `{_path_words(mapped['config'])}`" + _words(mapped))


def _words(mapped: dict) -> str:
    from dagshift.rules.dag_api.replacement_values import WORDS

    return WORDS.get(mapped.get("transform", ""), "")


def _set_path(plan: _Plan, path: str, value: Value) -> None:
    if plan.config not in plan.folds:
        if plan.seed is None:
            plan.folds[plan.config] = []
            plan.arguments.append((plan.config, plan.folds[plan.config]))
        else:
            _fold(plan, plan.config, plan.key(plan.seed), [])
    top = plan.folds[plan.config]
    *parents, last = path.split(".")
    for part in parents:
        key = plan.key(part)
        existing = next((v for k, v in top if k == key), None)
        if existing is None or isinstance(existing, str):
            existing = []
            top.append((key, existing))
        top = existing
    top.append((plan.key(last), value))


def _path_words(path: str) -> str:
    return "".join(f"[{part!r}]" for part in path.split("."))


def _defaults(visitor: Any, plan: _Plan, entry: dict, present: dict) -> None:
    """Defaults the successor does not share: the old one written out (`conn_id="postgres_default"`,
    BigQuery's `useLegacySql`, legacy SQL unless told otherwise)."""
    for key, mapped in entry["arguments"].items():
        if key in present or "old_default" not in mapped:
            continue
        if "rename" in mapped and not mapped.get("keep") and "transform" not in mapped:
            if any(mapped["rename"] == (m.get("rename")) for k, m in entry["arguments"].items() if k in present):
                continue  # (an alias of it is passed: `bigquery_conn_id`)
            value = _literal(mapped["old_default"], visitor.quote)
            plan.arguments.append((mapped["rename"], value))
            plan.said.append(f"`{mapped['rename']}={value}` is written (the old default; `{entry['successor'].rpartition('.')[2]}` has none)")
        elif mapped.get("write_default") and not any(
                m.get("config") == mapped["config"] for k, m in entry["arguments"].items() if k in present):
            value = _literal(mapped["old_default"], visitor.quote)
            _set_path(plan, mapped["config"], value)
            plan.said.append(f"`{_path_words(mapped['config'])}` is written as `{value}` "
                             f"(the old `{key}` default)")


def _literal(code: str, quote: str) -> str:
    """A string default as the wheel spells it ('x'), in the quotes the call's own strings use."""
    if code.startswith("'") and code.endswith("'") and '"' not in code and quote == '"':
        return '"' + code[1:-1] + '"'
    return code


def _transformed(visitor: Any, plan: _Plan, mapped: dict, arg: cst.Arg, present: dict) -> Optional[Value]:
    """The argument's value as the successor takes it (None, with a blocker, where no exact form exists)."""
    from dagshift.rules.dag_api.replacement_values import TRANSFORMS

    transform = mapped.get("transform")
    if transform is None:
        return _code(visitor, arg.value)
    value, blocker = TRANSFORMS[transform](visitor, arg, present)
    if blocker is not None:
        assert arg.keyword is not None
        plan.blockers.append(f"`{arg.keyword.value}` {blocker}")
    return value


def _fix(visitor: Any, node: cst.Call, found: Replaced, plan: _Plan) -> tuple[Optional[Fix], str]:
    """Rewrite the call and its import: the successor imported (beside the old import, which goes
    once nothing else uses it), the call rewritten whole in its own layout. (None, why) where no
    rewrite can be sure of the names or would lose a comment."""
    ctx = visitor.ctx
    bindings = ctx.imports.by_local.get(node.func.value, []) if isinstance(node.func, cst.Name) else []
    if len(bindings) != 1 or bindings[0].enclosing or not isinstance(bindings[0].statement, cst.ImportFrom):
        # (a module attribute, a name bound twice, or inside a try/except or a function: the
        # author's version logic)
        return None, "the class is not called by the name one top-level `from ... import` binds"
    comments = _comments(ctx, node, plan)
    if comments is None:
        return None, "a comment inside the call has no argument of its own to stay with"
    imported = bindings[0]
    module, _, name = found.entry["successor"].rpartition(".")
    bound = ctx.imports.resolve(name)
    if bound not in (None, f"{module}.{name}") or (bound is None and name in ctx.name_uses.bindings):
        return None, f"the name `{name}` means something else in this file"
    edits = [rewrite_call(ctx, node, name, plan.arguments, comments)]
    sites = ctx.name_uses.rename_sites(imported.local)
    still_used = sites is None or any(site is not node.func for site in sites)
    added = import_line(module, [name]) + ctx.module.default_newline if bound is None else ""
    statements = _successor_statements(visitor, found.entry["successor"], imported)
    at = line_start(ctx.index, min(ctx.span(statement)[0] for statement in statements))
    removal = remove_imported_name(ctx, imported) if not still_used else None
    if removal is not None and removal.start == at and len(statements) == 1:
        edits.append(Edit(at, removal.end, added + removal.content))  # (the new line in the old one's place)
    else:
        if added:
            edits.append(Edit(at, at, added))
        if removal is not None:
            edits.append(removal)
    title = f"use `{name}` and move the arguments (check the rewritten call: the class changes)"
    return Fix(tuple(edits), UNSAFE, title), ""


def _successor_statements(visitor: Any, successor: str, imported: Any) -> list[cst.CSTNode]:
    """The top-level import statements of every class the file imports that becomes `successor`
    (`DataFlowPythonOperator` and `DataflowCreatePythonJobOperator`). The successor's import goes
    before the first of them whichever call's fix writes it: two fixes inserting it at one point
    overlap, so the second waits for the next pass, which finds it imported."""
    found = [imported.statement]
    for other in visitor.ctx.imports:
        if other.name is None or other.level or other.enclosing or other.statement in found:
            continue
        replaced_by = replaced(visitor.target, other.qualified)
        if replaced_by is not None and replaced_by.entry["successor"] == successor:
            found.append(other.statement)
    return found


def _comments(ctx: Any, node: cst.Call, plan: _Plan) -> Optional[dict[str, str]]:
    """The comment ending each argument's line, by the keyword it is written under in the new call
    (an argument kept or renamed one to one); None when a comment has no such argument (it sits on
    a line of its own, or after an argument folded into a dict)."""
    found = line_comments(node)
    if not found:
        return {} if not has_comments(node) else None
    if argument_indent(ctx, node) is None:
        return None  # (arguments on the call's first line and comments after others: no layout keeps both)
    written = {id(arg): key for arg, key in plan.sources}
    carried = {}
    for arg, comment in found.items():
        if arg not in written:
            return None
        carried[written[arg]] = comment
    return carried if len(carried) == len(found) and not has_comments(node, besides=len(found)) else None
