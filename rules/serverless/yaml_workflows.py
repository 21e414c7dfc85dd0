"""DS601, DS603-DS609 on dag-factory YAML: the workflows MWAA Serverless runs as they are written.

MWAA Serverless takes a workflow as dag-factory YAML (its engine loads it with dag-factory 1.0.1),
so a repository's own dag-factory files are what `CreateWorkflow` receives: each is judged with the
facts and messages the Python DAGs get (analysis.py), at the YAML node. A task's `operator:` path
against the allow-list (1.x's `decorator:` TaskFlow tasks: DS602); its arguments against the service's ranges (numbers of seconds, or 1.x's
`__type__: datetime.timedelta` mappings) and what it ignores; `expand:` (mapping); a DAG block's
schedule (a cron string or null), its `default_args` keys and the DAG arguments the service ignores.
(dag-factory 0.x's `retry_delay_sec`/`execution_timeout_secs` spellings are gone from 1.0.1, the
engine's: the DAG API rules judge them as arguments.) gusty sources are not workflows the service
reads, and are left to the DAG API rules.
"""

from __future__ import annotations

from typing import Any, Optional

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dagshift.linter.findings import Finding, once_per_file
from dagshift.linter.rule import ERROR, WARNING
from dagshift.rules.serverless.analysis import (
    DAG_DATES,
    default_args_message,
    engine_facts,
    engine_name,
    ignored_message,
    operator_verdict,
    preset_message,
    range_message,
    schedule_message,
)
from dagshift.rules.serverless.values import UNITS
from dagshift.yaml_dags import DAG_FACTORY, Block, Entry, Source, argument_keys, file_source

SCHEDULE_KEYS = ("schedule", "schedule_interval", "timetable")
MAPPING = "expand"  # (a `partial:` beside it is the same mapped task: one finding)
TIMEDELTA = ("datetime.timedelta", "timedelta")
NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
NULL = "tag:yaml.org,2002:null"


def analyse(ctx: Any) -> list[Finding]:
    return once_per_file(ctx, "serverless_yaml", _analyse)


def _analyse(ctx: Any) -> list[Finding]:
    source = _source(ctx)
    if source is None or source.tool != DAG_FACTORY:
        return []
    judge = _Judge(source, engine_facts(ctx.settings.platform), engine_name(ctx.settings.platform))
    for block in source.tasks:
        judge.task(block)
    for block in source.dags:
        judge.dag(block.entries, block.default_args)
        judge.decorated(block.entries)
    return judge.findings


def _source(ctx: Any) -> Optional[Source]:
    """The file's YAML DAG source (read once per file for every family)."""
    member = ctx.membership
    return file_source(ctx.text, ctx.relpath, member.role if member is not None else None, ctx.shared)


def seconds(node: Node) -> Optional[float]:
    """A YAML number, or a dag-factory 1.x `{__type__: datetime.timedelta, days: 1}` in seconds."""
    if isinstance(node, ScalarNode) and node.tag in NUMBERS:
        try:
            return float(node.value) if node.tag.endswith("float") else int(node.value.replace("_", ""), 0)
        except ValueError:
            return None
    if isinstance(node, MappingNode) and _type(node) in TIMEDELTA:
        total = 0.0
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value in UNITS:
                amount = seconds(value)
                if amount is None:
                    return None
                total += amount * UNITS[key.value]
        return total
    return None


def _type(node: MappingNode) -> str:
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == "__type__" and isinstance(value, ScalarNode):
            return str(value.value)
    return ""


class _Judge:
    def __init__(self, source: Source, facts: dict[str, Any], where: str) -> None:
        self.source, self.facts, self.where = source, facts, where
        self.findings: list[Finding] = []
        self._seen: set[tuple[str, int]] = set()  # a `<<: *defaults` merged into several blocks: once

    def add(self, code: str, entry: Entry, message: str, level: str) -> None:
        start, end = self.source.span(entry.key_node)
        if (code, start) not in self._seen:
            self._seen.add((code, start))
            self.findings.append(Finding.at_span(code, start, end, message, level))

    def task(self, block: Block) -> None:
        operator = block.operator
        if operator is not None and isinstance(operator.value, ScalarNode):
            verdict = operator_verdict(str(operator.value.value), self.facts, self.where)
            if verdict is not None:
                self.add(verdict[0], operator, verdict[1], ERROR)
        for entry in block.entries:
            if entry.key == MAPPING:
                self.add("DS604", entry, f"dynamic task mapping (`{entry.key}:`) is not supported on {self.where}: "
                         "the workflow is refused", ERROR)
        for entry in argument_keys(block):
            self.argument(entry, entry.key)

    def argument(self, entry: Entry, name: str) -> None:
        if name in self.facts["task_limits"]:
            message = range_message(name, seconds(entry.value), self.facts)
            if message:
                self.add("DS606", entry, message, ERROR)
        elif name in self.facts["task_ignored"] and not _true(name, entry.value):
            self.add("DS607", entry, ignored_message(name, self.facts["task_ignored"][name]), WARNING)

    def dag(self, entries: list[Entry], default_args: list[Entry]) -> None:
        for entry in entries:
            if entry.key in SCHEDULE_KEYS:
                self.schedule(entry)
            elif entry.key in self.facts["dag_ignored"]:
                self.add("DS607", entry, ignored_message(entry.key, self.facts["dag_ignored"][entry.key]), WARNING)
        for entry in default_args:
            name = entry.key
            if name not in self.facts["default_args"]:
                self.add("DS609", entry, default_args_message(name, self.facts, self.where), ERROR)
            elif name in self.facts["task_limits"] or (name in self.facts["task_ignored"] and name not in DAG_DATES):
                self.argument(entry, name)
            elif name in self.facts["dag_ignored"]:
                self.add("DS607", entry, ignored_message(name, self.facts["dag_ignored"][name]), WARNING)

    def decorated(self, entries: list[Entry]) -> None:
        """dag-factory 1.x's TaskFlow tasks (`decorator: airflow.sdk.task`), which have no `operator:`."""
        tasks = next((e.value for e in entries if e.key == "tasks"), None)
        items = [v for _, v in tasks.value] if isinstance(tasks, MappingNode) else (
            list(tasks.value) if isinstance(tasks, SequenceNode) else [])
        for item in items:
            for key, value in item.value if isinstance(item, MappingNode) else ():
                if isinstance(key, ScalarNode) and key.value == "decorator" and isinstance(value, ScalarNode):
                    entry = Entry("decorator", key, value, ())
                    shown = str(value.value).replace("airflow.decorators.", "").replace("airflow.sdk.", "")
                    self.add("DS602", entry, f"`decorator: {value.value}` makes a TaskFlow task (`@{shown}`), which "
                             f"{self.where} does not run: rewrite it as a PythonOperator whose python_callable is a "
                             "module-level function", ERROR)

    def schedule(self, entry: Entry) -> None:
        node = entry.value
        if isinstance(node, ScalarNode):
            warned = preset_message(str(node.value), self.where) if node.tag != NULL else None
            if warned:
                self.add("DS605", entry, warned, WARNING)
            return
        if isinstance(node, SequenceNode):
            message = schedule_message("", True, False, self.where)
        elif isinstance(node, MappingNode):
            keys = {k.value for k, _ in node.value if isinstance(k, ScalarNode)}
            last = _type(node).rsplit(".", 1)[-1]
            message = schedule_message(last, bool(keys & {"datasets", "assets"}), True, self.where)
        else:
            return
        if message:
            self.add("DS605", entry, message, ERROR)


def _true(name: str, node: Node) -> bool:
    """`do_xcom_push: true` says what the service does anyway."""
    return name == "do_xcom_push" and isinstance(node, ScalarNode) and node.value in ("true", "True")
