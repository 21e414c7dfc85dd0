"""DS510: whether a sub-DAG's settings are its parent DAG's (read with `ast`, never run).

A TaskGroup has no settings of its own: its tasks run under the parent DAG's. So a SubDAG moves
only when each setting the sub-DAG gives (after the factory's parameters are replaced by what the
call gives them) is the parent's: the same text, the parent's own attribute
(`start_date=dag.start_date`), or, for a start date, the same value where both sides are literal
datetimes dagshift can evaluate (`pendulum.datetime(2024, 1, 1)` and `datetime(2024, 1, 1,
tzinfo=timezone.utc)`). A sub-DAG without `start_date=` takes it from its `default_args`, and so
does a parent without one. Labels (LABELS) are not compared, and what SubDagOperator never reads
(UNREAD) neither.
"""

from __future__ import annotations

import ast
import datetime as dt
from typing import Any, Callable, Optional

# DAG arguments that only label the sub-DAG in the UI: not compared with the parent's.
LABELS = frozenset({"dag_id", "default_args", "description", "doc_md", "tags"})
# Never read: SubDagOperator creates the sub-DAG's run with the parent run's date and data interval
# (2.x's airflow/operators/subdag.py, `create_dagrun`); the scheduler never schedules a sub-DAG.
UNREAD = frozenset({"schedule", "catchup"})
# The DAG's attributes that hold the argument of the same name as given (2.x and 3.x alike).
ATTRIBUTES = frozenset({"start_date", "end_date"})
DEFAULT_MAX_ACTIVE_RUNS = 16  # `[core] max_active_runs_per_dag`'s default: a DAG's when it sets none
DATETIMES = {"datetime.datetime": False, "pendulum.datetime": True}  # (aware by default: pendulum's UTC)
UTC_NAMES = frozenset({"datetime.timezone.utc", "pendulum.UTC", "pendulum.tz.UTC"})
MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__"})
FIELDS = ("year", "month", "day", "hour", "minute", "second", "microsecond")

Names = Callable[[str], Optional[str]]  # a module-level name -> the dotted path it was imported as


def origin(binding: Any) -> Optional[str]:
    """Where a module-level name comes from: an import's dotted path, or None (defined there,
    or unknown)."""
    if not binding:
        return None
    source, name = binding
    return f"{source}.{name}" if source and name else source or name


def substituted(text: Optional[str], given: dict[str, ast.expr]) -> Optional[str]:
    if text is None:
        return None

    class Put(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:
            return given.get(node.id, node)

    return ast.unparse(Put().visit(ast.parse(text, mode="eval")))


def module_values(tree: ast.Module) -> dict[str, ast.expr]:
    """The names the module assigns once, at top level, and never changes in place (no item
    assignment, no `.update(...)`): their values as written."""
    stores: dict[str, int] = {}
    changed: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            stores[node.id] = stores.get(node.id, 0) + 1
        elif isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load) and isinstance(node.value, ast.Name):
            changed.add(node.value.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr in MUTATORS:
            changed.add(node.value.id)
    return {t.id: stmt.value for stmt in tree.body if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(t := stmt.targets[0], ast.Name) and stores.get(t.id) == 1 and t.id not in changed}


class Parent:
    """The parent DAG as the call site sees it: its name, settings, and its module's bindings and
    module-level values (for `args["start_date"]` where `args = {...}`)."""

    def __init__(self, name: str, settings: dict, bindings: dict, values: dict[str, ast.expr]) -> None:
        self.name, self.settings, self.bindings, self.values = name, settings, bindings, values

    def names(self, name: str) -> Optional[str]:
        return origin(self.bindings.get(name, False))


def _dotted(node: ast.expr, names: Names) -> Optional[str]:
    if isinstance(node, ast.Name):
        return names(node.id)
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value, names)
        return f"{head}.{node.attr}" if head else None
    return None


def _zone(node: Optional[ast.expr], names: Names) -> Any:
    """A tzinfo dagshift can name: "UTC" and IANA names as strings, `timezone.utc`, `pendulum.UTC`,
    `pendulum.timezone("...")`; False for anything else."""
    if isinstance(node, ast.Call) and _dotted(node.func, names) == "pendulum.timezone" and len(node.args) == 1:
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value.upper() == "UTC":
            return dt.timezone.utc
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(node.value)
        except Exception:  # (an unknown zone, or no tz database here)
            return False
    return dt.timezone.utc if node is not None and _dotted(node, names) in UTC_NAMES else False


def literal_datetime(node: Optional[ast.expr], names: Names, values: Optional[dict] = None) -> Optional[dt.datetime]:
    """The value of `datetime(2024, 1, 1)`, `pendulum.datetime(2024, 1, 1, tz="UTC")`, or a
    module-level dict's `["start_date"]` holding one; None where it is not such a literal."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and values is not None:
        held = values.get(node.value.id) if isinstance(node.value, ast.Name) else node.value
        if isinstance(held, ast.Dict):
            found = [v for k, v in zip(held.keys, held.values) if isinstance(k, ast.Constant) and k.value == node.slice.value]
            return literal_datetime(found[-1], names) if found and None not in held.keys else None
        return None
    if not isinstance(node, ast.Call) or _dotted(node.func, names) not in DATETIMES:
        return None
    aware = DATETIMES[_dotted(node.func, names) or ""]
    fields: dict[str, Any] = dict(zip(FIELDS, node.args))
    zone_key = "tz" if aware else "tzinfo"
    for k in node.keywords:
        if k.arg not in FIELDS + (zone_key,) or k.arg in fields:
            return None
        fields[k.arg] = k.value
    if len(node.args) > len(FIELDS) or any(not (isinstance(v, ast.Constant) and type(v.value) is int)
                                           for k, v in fields.items() if k != zone_key):
        return None
    zone = _zone(fields.pop(zone_key, None), names) if zone_key in fields else (dt.timezone.utc if aware else None)
    if zone is False:
        return None
    try:
        return dt.datetime(**{k: v.value for k, v in fields.items()}, tzinfo=zone)
    except (TypeError, ValueError, OverflowError):
        return None


def _never_binds(sub: Optional[str], parent: Optional[str]) -> bool:
    """A sub-DAG's max_active_runs at least its parent's never limits anything: each parent run
    starts one sub-DAG run and waits for it (literal integers; none set is the default)."""
    mine, theirs = [DEFAULT_MAX_ACTIVE_RUNS if t is None else int(t) if t.isdigit() else None for t in (sub, parent)]
    return mine is not None and theirs is not None and mine >= theirs


def _effective_start(settings: dict, text: Callable[[dict], str]) -> Optional[str]:
    """A DAG's start date as written: its `start_date=`, else its default_args' item."""
    if settings.get("start_date"):
        return text(settings["start_date"])
    held = settings.get("default_args")
    if not held:
        return None
    item = ast.Subscript(value=ast.parse(text(held), mode="eval").body, slice=ast.Constant("start_date"), ctx=ast.Load())
    return ast.unparse(item)


def _lacks(text: Optional[str], values: dict) -> bool:
    """`args['start_date']` where `args` is a dict written without that key (and no `**`)."""
    node = ast.parse(text, mode="eval").body if text else None
    if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)):
        return False
    held = values.get(node.value.id) if isinstance(node.value, ast.Name) else node.value
    return (isinstance(held, ast.Dict) and None not in held.keys
            and all(isinstance(k, ast.Constant) and k.value != node.slice.value for k in held.keys))


def _foreign(setting: Optional[dict], parent: Parent, foreign_module: bool) -> list[str]:
    """The names a factory's setting reads from its own module that the caller's do not mean."""
    if setting is None or not foreign_module or setting.get("here"):
        return []
    return [n for n, o in setting["free"].items() if o is None or parent.names(n) != o]


def _start_dates(sub: dict, parent: Parent, given: dict, foreign_module: bool) -> Optional[str]:
    """None when the sub-DAG's start date is the parent's; else why it is not (or not provably)."""
    def text(setting: dict) -> str:
        written = setting["text"] if setting.get("here") else substituted(setting["text"], given) or ""
        held = parent.settings.get("default_args")  # (`dag.default_args` is a copy of the parent's own)
        return held["text"] if held and written == f"{parent.name}.default_args" else written

    setting = sub.get("start_date") or sub.get("default_args")
    own = setting["free"] if setting and not setting.get("here") else {}
    mine, theirs = _effective_start(sub, text), _effective_start(parent.settings, lambda s: s["text"])
    mine = None if _lacks(mine, {} if own else parent.values) else mine
    theirs = None if _lacks(theirs, parent.values) else theirs
    if mine is None and theirs is None:
        return None  # (neither has one: both fail alike)
    foreign = _foreign(setting, parent, foreign_module)
    if not foreign and mine is not None and (mine == theirs or mine == f"{parent.name}.start_date"):
        return None
    if mine is None or theirs is None:
        return (f"the sub-DAG has its own `start_date` (`{mine or 'the default'}`; the parent DAG's is "
                f"`{theirs or 'the default'}`), which a TaskGroup cannot keep")
    if mine is not None and theirs is not None:
        def names(name: str) -> Optional[str]:
            return own[name] if name in own else parent.names(name)

        a = literal_datetime(ast.parse(mine, mode="eval").body, names, {} if own else parent.values)
        b = literal_datetime(ast.parse(theirs, mode="eval").body, parent.names, parent.values)
        if a is not None and b is not None:
            if (a.tzinfo is None) != (b.tzinfo is None):
                return (f"the sub-DAG's start date `{mine}` and the parent DAG's `{theirs}` are one timezone-aware and "
                        "one naive (Airflow reads a naive one in `[core] default_timezone`): the same time only where "
                        "that is UTC")
            if a == b:
                return None
            return (f"the sub-DAG has its own `start_date` (`{mine}`; the parent DAG's is `{theirs}`), which a "
                    "TaskGroup cannot keep")
    if foreign:
        return (f"the sub-DAG's start date `{mine}` names `{foreign[0]}` of its own module: dagshift cannot tell "
                f"whether it equals the parent DAG's `{theirs}`")
    return (f"the sub-DAG's start date `{mine}` is not the parent DAG's `{theirs}` as written, and dagshift cannot "
            "evaluate both to compare them")


def differences(sub: dict, parent: Parent, given: dict, foreign_module: bool) -> Optional[str]:
    """The first DAG setting of the sub-DAG that is not the parent's, said as the reason."""
    settings = parent.settings
    for key in sorted((set(sub) | set(settings) | {"start_date"}) - LABELS - UNREAD):
        if key == "start_date":
            found = _start_dates(sub, parent, given, foreign_module)
            if found:
                return found
            continue
        mine, theirs = sub.get(key), settings.get(key)
        foreign = _foreign(mine, parent, foreign_module)
        if foreign and mine is not None:
                return (f"the sub-DAG's `{key}={mine['text']}` names `{foreign[0]}` of its own module: dagshift "
                        "cannot tell whether it equals the parent DAG's")
        text = (mine["text"] if mine.get("here") else substituted(mine["text"], given)) if mine else None
        if key == "max_active_runs" and _never_binds(text, theirs["text"] if theirs else None):
            continue
        if key in ATTRIBUTES and text == f"{parent.name}.{key}":
            continue  # (the parent's own value, read from it)
        if text != (theirs["text"] if theirs else None):
            return (f"the sub-DAG has its own `{key}` (`{text or 'the default'}`; the parent DAG's is "
                    f"`{theirs['text'] if theirs else 'the default'}`), which a TaskGroup cannot keep")
    return None
