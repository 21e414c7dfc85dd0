"""DS501-DS506 and DS512 on DAGs written in YAML (dag-factory, gusty; `dagshift.yaml_dags` tells
them apart and reads them): the same codes, facts and messages as on a Python DAG, each finding at
the YAML node, each fix a span edit kept only when the YAML read again shows exactly that change.

A DAG block's keys are `DAG(...)` arguments, its `default_args` are default_args, a task's keys
(less the tool's own: `operator`, `dependencies`, ...) are the operator's arguments. Where the
tool does not hand a key on as Python would (gusty drops what a signature does not name;
dag-factory builds `DAG(...)` from the keys it knows), nothing fails: a warning says what is lost
(`on_task`, `on_dag`; shown by loading the fixtures with the tools, scripts/verify_yaml_dags.py).
"""

from __future__ import annotations

from typing import Any, Optional

from dagshift.fixers.edits import replace_span
from dagshift.linter.diagnostics import ERROR, SAFE, UNSAFE, WARNING, Fix
from dagshift.linter.findings import Finding, once_per_file
from dagshift.rules.dag_api import severity
from dagshift.rules.dag_api.screen import (
    ARGUMENT_RENAMES,
    CLASS_ARGUMENT_CHANGES,
    argument_renames,
    consumes_kwargs,
    signatures,
    successor,
)
from dagshift.rules.dag_api.tables import api_facts
from dagshift.yaml_dags import (
    DAG_FACTORY,
    GUSTY,
    Block,
    Entry,
    Source,
    argument_keys,
    checked_edit,
    delete_entry_span,
    file_source,
)

DUMMY = "airflow.operators.dummy.DummyOperator"
INVALID = 'the DAG fails with "Invalid arguments were passed"'
GUSTY_DROPS = "gusty passes an operator only the arguments its class takes, so it drops this one"


def yaml_source(ctx: Any) -> Optional[Source]:
    """The file's YAML DAG source (read once per file for every family)."""
    member = ctx.membership
    return file_source(ctx.text, ctx.relpath, member.role if member is not None else None, ctx.shared)


def analyse(ctx: Any) -> list[Finding]:
    return once_per_file(ctx, "dag_api_yaml", _analyse)


def _analyse(ctx: Any) -> list[Finding]:
    source = yaml_source(ctx)
    if source is None:
        return []
    judge = _Judge(ctx, source, api_facts(ctx.target))
    for block in source.dags:
        judge.dag(block)
    for block in source.tasks:
        judge.task(block)
    judge.tags()
    return _once(judge.findings)


def _once(findings: list[Finding]) -> list[Finding]:
    """One finding per code and node: a mapping merged into several blocks (`<<: *defaults`) is
    reported where it is written, once."""
    seen: set[tuple[str, object]] = set()
    kept = []
    for finding in findings:
        if (finding.code, finding.at) not in seen:
            seen.add((finding.code, finding.at))
            kept.append(finding)
    return kept


class _Judge:
    def __init__(self, ctx: Any, source: Source, facts: dict) -> None:
        self.ctx, self.source, self.facts, self.target = ctx, source, facts, ctx.target
        self.base_args = severity.base_arguments(self.target)
        self.findings: list[Finding] = []

    # -- fixes ---------------------------------------------------------------------------

    def _fix(self, start: int, end: int, content: str, change: tuple, title: str, safety: str = SAFE) -> Optional[Fix]:
        name = self.ctx.relpath.rpartition("/")[2]
        if not checked_edit(self.ctx.text, name, self.source.document, start, end, content, change):
            return None
        return replace_span(start, end, content, title, safety)

    def rename(self, entry: Entry, new: str, siblings: Block) -> Optional[Fix]:
        if siblings.has(new) or entry.key_node.style is not None:
            return None  # (the block already has the new key; a quoted key is left as it is written)
        start, end = self.source.span(entry.key_node)
        return self._fix(start, end, new, ("rename", entry.path, new), f"rename to `{new}`")

    def delete(self, entry: Entry, safety: str = SAFE) -> Optional[Fix]:
        span = delete_entry_span(self.ctx.text, self.source.document, entry.key_node, entry.value)
        if span is None:
            return None
        return self._fix(*span, "", ("delete", entry.path), f"remove `{entry.key}`", safety)

    def add(self, code: str, entry: Entry, message: str, level: str, fix: Optional[Fix] = None) -> None:
        self.findings.append(Finding.at_span(code, *self.source.span(entry.key_node), message, level, fix))

    def on_task(self, code: str, entry: Entry, message: str, level: str, fix: Optional[Fix] = None) -> None:
        """A task argument the operator refuses: the DAG fails under dag-factory, which hands the task's
        keys to the class; gusty hands it only the arguments its signature names (build_task in
        gusty 0.23.1), so there the value is silently dropped: a warning saying so."""
        if self.source.tool == GUSTY and level == ERROR:
            level = severity.TOOL_DROPS
            said = message
            for clause in (INVALID, f"the DAG fails on {self.target} with {INVALID[len('the DAG fails with '):]}"):
                message = message.replace(clause, GUSTY_DROPS)
            if message == said:
                message += f"; {GUSTY_DROPS}"
        self.add(code, entry, message, level, fix)

    def on_dag(self, key: str, new: Optional[str], level: str, message: str) -> tuple[str, str]:
        """A DAG-level key the target's DAG refuses, as each tool hands it on: gusty passes `DAG(...)`
        only the arguments its signature names (build_structure), dropping the rest; dag-factory
        builds `DAG(...)` from the keys it knows (1.0.1: `concurrency` as `max_active_tasks`,
        `default_view`/`orientation` only before Airflow 3, any other key not at all). Only a
        `schedule_interval` or `timetable` that dag-factory hands on fails."""
        if level != ERROR or (self.source.tool == DAG_FACTORY and key in severity.SCHEDULE_ARGUMENTS):
            return level, message
        advice = f"use `{new}`" if new else "remove it"
        if self.source.tool == GUSTY:
            lost = {"concurrency": "its limit is lost"}.get(key, "it has no effect")
            if key in severity.SCHEDULE_ARGUMENTS:
                lost = "the DAG loads without a schedule"
            return severity.TOOL_DROPS, (f"`{key}` is not a DAG argument on Airflow {self.target}: gusty passes "
                                         f"`DAG(...)` only the arguments it takes, so it drops it and {lost}; {advice}")
        if key == severity.CONCURRENCY_ARGUMENT:
            return severity.TOOL_DROPS, (f"`concurrency` is deprecated: dag-factory 1.x hands it to Airflow "
                                         f"{self.target} as `max_active_tasks`, with a deprecation warning; use "
                                         "`max_active_tasks`")
        return severity.TOOL_DROPS, (f"`{key}` was removed in Airflow 3: dag-factory builds `DAG(...)` from the keys it "
                                     f"knows and does not hand this one to Airflow {self.target}, so it has no effect; "
                                     f"{advice}")

    # -- DAG blocks ----------------------------------------------------------------------

    def dag(self, block: Block) -> None:
        removed = self.facts["dag_args_removed"]
        for entry in block.entries:
            key = entry.key
            if key in severity.SCHEDULE_ARGUMENTS and "schedule" in self.facts["dag_args"]:
                self._schedule(entry, block)
            elif key == severity.CONCURRENCY_ARGUMENT and "max_active_tasks" in self.facts["dag_args"]:
                level, message = self.on_dag(key, "max_active_tasks", severity.dag_argument(self.facts, key),
                                             self._renamed(key, "max_active_tasks"))
                self.add("DS506", entry, message, level, self.rename(entry, "max_active_tasks", block))
            elif key in removed:
                new = removed[key]
                advice = (f"use `{new}`" if new else
                          "remove it (it only shaped the UI or the file path, which Airflow 3 decides itself)")
                fix = self.rename(entry, new, block) if new else self.delete(entry)
                level, message = self.on_dag(key, new, severity.dag_argument(self.facts, key), (
                    f"`{key}` was removed in Airflow 3: the DAG fails to load on {self.target}; {advice}"))
                self.add("DS512", entry, message, level, fix)
            else:
                self._warned(entry, "dag")
        for entry in block.default_args:
            self._default_arg(entry, block)

    def _schedule(self, entry: Entry, block: Block) -> None:
        """DS504; an error on any target when the environment pins dag-factory 1.x, which refuses the key."""
        level = severity.dag_argument(self.facts, entry.key)
        message = self._renamed(entry.key, "schedule")
        if level != ERROR and entry.key == "schedule_interval" and self.source.tool == DAG_FACTORY:
            from dagshift.rules.dag_api.yaml_tools import dag_factory_1

            pin = dag_factory_1(self.ctx)
            if pin is not None:
                level = severity.DAG_FACTORY_REFUSED
                message = (f"`schedule_interval` is refused by dag-factory 1.x ({pin}): the DAG fails to load on "
                           f"{self.target}; use `schedule`")
        level, message = self.on_dag(entry.key, "schedule", level, message)
        self.add("DS504", entry, message, level, self.rename(entry, "schedule", block))

    def _renamed(self, key: str, new: str) -> str:
        if key in self.facts["dag_args_removed"]:
            return f"`{key}` was removed in Airflow 3: the DAG fails to load on {self.target}; use `{new}`"
        return f"`{key}` is deprecated on Airflow {self.target}: use `{new}`"

    def _warned(self, entry: Entry, kind: str) -> bool:
        text = self.facts["warned_arguments"][kind].get(entry.key)
        if text is None:
            return False
        inert = "removed" in text.lower()
        state = "has no effect" if inert else "is deprecated"
        self.add("DS512", entry, f"`{entry.key}` {state} on Airflow {self.target}: {text.rstrip('.')}",
                 severity.IGNORED, self.delete(entry) if inert else None)
        return True

    def _default_arg(self, entry: Entry, block: Block) -> None:
        if entry.key == "provide_context":
            self.add("DS501", entry, f"`provide_context` in default_args has no effect on Airflow {self.target}: the "
                     "context is always passed to callables that take it", severity.IGNORED, self.delete(entry))
        elif entry.key == "task_concurrency" and "max_active_tis_per_dag" in self.base_args:
            gone = "task_concurrency" not in self.base_args
            siblings = Block([e for e in block.default_args], entry.path[:-1])
            self.add("DS506", entry, (
                f"`task_concurrency` in default_args was removed in Airflow 3: {self.target} ignores it and the "
                "limit is lost; use `max_active_tis_per_dag`" if gone else
                f"`task_concurrency` is deprecated on Airflow {self.target}: use `max_active_tis_per_dag`"),
                severity.IGNORED, self.rename(entry, "max_active_tis_per_dag", siblings))
        else:
            self._warned(entry, "operator")

    # -- tasks ---------------------------------------------------------------------------

    def task(self, block: Block) -> None:
        path = block.operator.value.value if block.operator is not None else ""
        if path == DUMMY and self.facts["empty_operator"]:
            self._dummy(block.operator)  # type: ignore[arg-type]
        if not path and block.implied == "PythonOperator":  # gusty runs a `.py` task with PythonOperator
            path = "airflow.operators.python.PythonOperator"
        name = path.rpartition(".")[2]
        cls = self._class(path) if path.startswith("airflow.") else None
        accepted = signatures(self.target).get(cls or "")
        renames = argument_renames(self.target).get(cls or "", {})
        for entry in argument_keys(block):
            key = entry.key
            if key == "provide_context":
                self._provide_context(entry, name)
            elif key == "task_concurrency" and "max_active_tis_per_dag" in self.base_args:
                gone = "task_concurrency" not in self.base_args
                self.on_task("DS506", entry, (
                    f"`task_concurrency` was removed in Airflow 3: the DAG fails on {self.target} with \"Invalid "
                    "arguments were passed\"; use `max_active_tis_per_dag`" if gone else
                    f"`task_concurrency` is deprecated on Airflow {self.target}: use `max_active_tis_per_dag`"),
                    severity.task_concurrency(self.base_args), self.rename(entry, "max_active_tis_per_dag", block))
            elif (name, key) in CLASS_ARGUMENT_CHANGES:
                self._class_argument(entry, name, block)
            elif accepted is not None and key not in accepted:
                self._unknown(entry, cls or "", accepted, renames.get(key) or ARGUMENT_RENAMES.get(key), block)
            elif accepted is not None and key in renames and renames[key] in accepted:
                fix = self.rename(entry, renames[key], block)
                self.add("DS502", entry, f"`{key}` is deprecated on {name} on Airflow {self.target} (with the provider "
                         f"versions it pins): use `{renames[key]}`", severity.ARGUMENT_WARNED, fix)
            else:
                self._warned(entry, "operator")

    def _class(self, path: str) -> Optional[str]:
        """The class the operator path leads to on the target (through the import tables)."""
        from dagshift.rules.imports.tables import tables

        entry = tables(self.target).entries.get(path)
        cls = entry.get("to") if entry else path
        if cls and cls not in signatures(self.target):
            cls = successor(self.target, cls)
        return cls

    def _provide_context(self, entry: Entry, name: str) -> None:
        python = name in self.facts["python_family"]
        level = severity.provide_context(self.facts, python)
        if level == WARNING:
            message = (f"`provide_context` is deprecated on Airflow {self.target}: {name} always passes the "
                       "context to callables that take it")
        else:
            message = (f"`provide_context` is not an argument of {name or 'the operator'} on Airflow {self.target}: "
                       "the DAG fails with \"Invalid arguments were passed\"")
        self.on_task("DS501", entry, message, level, self.delete(entry))

    def _class_argument(self, entry: Entry, name: str, block: Block) -> None:
        path, new, hint, delete = CLASS_ARGUMENT_CHANGES[(name, entry.key)]
        accepted = signatures(self.target).get(path) or signatures(self.target).get(successor(self.target, path))
        if accepted is None or entry.key in accepted:
            return
        fix = self.delete(entry) if delete else (self.rename(entry, new, block) if new else None)
        self.on_task("DS502", entry, f"{name} has no `{entry.key}` on Airflow {self.target}: {hint}",
                 severity.ARGUMENT_REFUSED, fix)

    def _unknown(self, entry: Entry, cls: str, accepted: frozenset, new: Optional[str], block: Block) -> None:
        fix = self.rename(entry, new, block) if new and new in accepted else None
        hint = f"; it is now `{new}`" if fix else ""
        short, key = cls.rsplit(".", 1)[-1], entry.key
        if cls in consumes_kwargs(self.target):
            self.on_task("DS502", entry, (
                f"`{key}` is not an argument {short} declares on Airflow {self.target} (with the provider versions it "
                f"pins){hint}; {short} reads arguments out of `**kwargs` itself, so it may take or ignore it: check "
                "it against the operator's documentation"), severity.ARGUMENT_WARNED, fix)
            return
        self.on_task("DS502", entry, (
            f"`{key}` is not an argument of {short} on Airflow {self.target} (with the provider versions it pins)"
            f"{hint}: the DAG fails with \"Invalid arguments were passed\""), severity.ARGUMENT_REFUSED, fix)

    def _dummy(self, entry: Entry) -> None:
        from dagshift.rules.imports.tables import rewrite_proof

        home = self.facts["empty_operator"]
        new = f"{home}.EmptyOperator"
        proof = rewrite_proof(self.target, DUMMY, new)
        start, end = _inner(self.source, entry)
        fix = self._fix(start, end, new, ("replace", entry.path, new), f"use `{new}`",
                        SAFE if proof is not None and proof[0] == "proven" else UNSAFE)
        message = (f"DummyOperator was removed in Airflow 3: the import fails on {self.target}; use `{new}`"
                   if self.facts["dummy_removed"] else f"DummyOperator is deprecated on Airflow {self.target}: use `{new}`")
        self.findings.append(Finding.at_span("DS503", start, end, message, severity.dummy_operator(self.facts), fix))

    # -- tags ----------------------------------------------------------------------------

    def tags(self) -> None:
        """gusty's `!days_ago N` (gusty defines it itself, with pendulum: it loads on Airflow 3 too, but
        the start date moves with the clock). No YAML spelling either tool reads gives the same
        instant, so there is no fix."""
        if not (self.facts["days_ago_deprecated"] or self.facts["days_ago_removed"]):
            return
        for node, _ in self.source.tags:
            if node.tag != "!days_ago":
                continue
            start, end = self.source.span(node)
            self.findings.append(Finding.at_span("DS505", start, start + len(node.tag), (
                f"`{node.tag}` (gusty's `days_ago()`) gives a start date that moves with the clock; prefer a fixed "
                "date"), severity.DAYS_AGO_TAG))


def _inner(source: Source, entry: Entry) -> tuple[int, int]:
    """A scalar value's span without its quotes."""
    start, end = source.span(entry.value)
    return (start + 1, end - 1) if entry.value.style in ("'", '"') else (start, end)
