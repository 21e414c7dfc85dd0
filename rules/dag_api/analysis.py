"""What DS501-DS511 find in one file, with the fixes (imported on first use: needs libcst)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from dagshift.fixers.arguments import drop_item, rename_keyword
from dagshift.fixers.edits import replace_span
from dagshift.fixers.imports import remove_imported_name
from dagshift.fixers.lines import indent_at, line_start
from dagshift.linter.diagnostics import SAFE, UNSAFE, WARNING, Edit, Fix
from dagshift.linter.findings import Finding, once_per_file
from dagshift.linter.imports import dotted_name
from dagshift.linter.names import NameUses
from dagshift.linter.walk import walk
from dagshift.rules.dag_api import severity
from dagshift.rules.dag_api.airflow3 import (
    bare_dag_defaults,
    dag_defaults,
    db_access,
    removed_dag_argument,
    warned_argument,
)
from dagshift.rules.dag_api.arguments import INVALID, class_argument, signature_findings
from dagshift.rules.dag_api.context_keys import ContextKeyChecks
from dagshift.rules.dag_api.dag_attributes import candidate as attribute_candidate
from dagshift.rules.dag_api.dag_attributes import judge as judge_dag_attributes
from dagshift.rules.dag_api.days_ago import days_ago_replacement
from dagshift.rules.dag_api.replacements import replaced_call, replaced_imports
from dagshift.rules.dag_api.screen import (
    CLASS_ARGUMENT_CHANGES,
)
from dagshift.rules.dag_api.tables import GONE, api_facts, dag_attributes_removed, replaced
from dagshift.rules.dag_api.trigger_rules import trigger_rule_value
from dagshift.rules.dag_api.where import refused

DAG_CLASSES = {"airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG", "airflow.decorators.dag",
               "airflow.models.dag.dag", "airflow.sdk.DAG", "airflow.sdk.dag", "airflow.sdk.definitions.dag.DAG",
               "airflow.sdk.definitions.dag.dag"}
DAYS_AGO = {"airflow.utils.dates.days_ago"}
SUBDAG = {"airflow.operators.subdag.SubDagOperator", "airflow.operators.subdag_operator.SubDagOperator"}





def analyse(ctx: Any) -> list[Finding]:
    return once_per_file(ctx, "dag_api", _analyse)


def _analyse(ctx: Any) -> list[Finding]:
    visitor = _Visitor(ctx, api_facts(ctx.target))
    walk(ctx.module, visitor)
    visitor.finish()
    return visitor.findings


# The TaskFlow decorators whose arguments go to a PythonOperator subclass (`@task`, `@task.python`).
TASK_DECORATORS = frozenset({"airflow.decorators.task", "airflow.decorators.task.python",
                             "airflow.sdk.task", "airflow.sdk.task.python"})


class _Visitor(ContextKeyChecks):
    def __init__(self, ctx: Any, facts: dict) -> None:
        self.ctx = ctx
        self.facts = facts
        self.target = ctx.target
        self.findings: list[Finding] = []
        self.dag_names: set[str] = set()
        self.shifts: list[cst.BinaryOperation] = []
        self.chain_calls: list[cst.Call] = []
        self.dummy_imports: list[Any] = []
        self.task_params: list[tuple[cst.FunctionDef, cst.Param, str]] = []  # (DS507 on Airflow 3)
        self.callables: set[str] = set()
        self.subdag_calls: list[cst.Call] = []
        self.dag_attributes: list[cst.Attribute] = []  # (DS516: reads of attributes Airflow 3's DAG lost)
        self.removed_attributes = dag_attributes_removed(self.target)
        self.replaced_sites: set[int] = set()  # (DS515: the calls of replaced classes it reported)
        self.quote = '"'  # (DS515: the quote the call being rewritten writes its strings in)
        # BaseOperator's own arguments on the target: one table (operator_args.json) for every family.
        self.base_args = severity.base_arguments(self.target)

    # -- names bound to DAG objects ------------------------------------------------------

    def _is_dag_call(self, node: cst.BaseExpression) -> bool:
        if not isinstance(node, cst.Call):
            return False
        return (self.ctx.imports.resolve(dotted_name(node.func) or "") or "") in DAG_CLASSES

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._is_dag_call(node.value):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.dag_names.add(target.target.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self._is_dag_call(node.item) and node.asname is not None and isinstance(node.asname.name, cst.Name):
            self.dag_names.add(node.asname.name.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        attribute_candidate(self, node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, (cst.RightShift, cst.LeftShift)):
            self.shifts.append(node)

    def visit_Decorator(self, node: cst.Decorator) -> None:
        if isinstance(node.decorator, (cst.Name, cst.Attribute)):
            dotted = dotted_name(node.decorator) or ""
            qualified = self.ctx.imports.resolve(dotted) or dotted
            db_access(self, node.decorator, qualified)
            if qualified in DAG_CLASSES:  # a bare `@dag`: every DAG argument at its default
                bare_dag_defaults(self, node.decorator)

    # -- calls ---------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        dotted = dotted_name(node.func) or ""
        qualified = self.ctx.imports.resolve(dotted) or dotted
        last = qualified.rsplit(".", 1)[-1]
        args = list(node.args)
        if qualified in DAG_CLASSES:
            self._dag_call(args)
            dag_defaults(self, node, args)
        elif last.endswith(("Operator", "Sensor")):
            if last == "SubDagOperator":
                self.subdag_calls.append(node)
            self._operator_call(last, args)
            found = replaced(self.target, qualified)
            if found is not None:
                replaced_call(self, node, qualified)  # (DS515: the class itself is the finding)
            if found is None or found.status != GONE:
                signature_findings(self, qualified, last, args)  # (a class the target has: its arguments)
        elif qualified in TASK_DECORATORS:  # `@task(provide_context=True)` hands it to the PythonOperator
            for index, arg in enumerate(args):
                if arg.keyword is not None and arg.keyword.value == "provide_context":
                    self._provide_context("@task", args, index, python=True)
        db_access(self, node.func, qualified)
        for arg in args:
            if arg.keyword is not None and arg.keyword.value == "python_callable" and isinstance(arg.value, cst.Name):
                self.callables.add(arg.value.value)
        if qualified in DAYS_AGO and (self.facts["days_ago_deprecated"] or self.facts["days_ago_removed"]):
            self._days_ago(node, args)
        if last in ("chain", "cross_downstream") and qualified.startswith("airflow."):
            self.chain_calls.append(node)
        if qualified == f"airflow.configuration.{last}" and last in self.facts["configuration_deprecated"]:
            self._configuration(node, dotted, last)
        if last == "get" and node.args and isinstance(node.func, cst.Attribute):
            self._context_get(node)

    def _dag_call(self, args: list[cst.Arg]) -> None:
        keywords = {a.keyword.value for a in args if a.keyword is not None}
        removed = self.facts["dag_args_removed"]
        for index, arg in enumerate(args):
            if arg.keyword is None:
                continue
            key = arg.keyword.value
            if key in severity.SCHEDULE_ARGUMENTS and "schedule" in self.facts["dag_args"]:
                fix = rename_keyword(self.ctx, arg, "schedule") if "schedule" not in keywords else None
                self.findings.append(Finding("DS504", arg.keyword, self._renamed(key, "schedule"), fix=fix,
                                             severity=severity.dag_argument(self.facts, key)))
            elif key == severity.CONCURRENCY_ARGUMENT and "max_active_tasks" in self.facts["dag_args"]:
                self.findings.append(Finding("DS506", arg.keyword, self._renamed(key, "max_active_tasks"),
                                             fix=rename_keyword(self.ctx, arg, "max_active_tasks"),
                                             severity=severity.dag_argument(self.facts, key)))
            elif key in removed:
                removed_dag_argument(self, args, index, removed[key], keywords)
            else:
                warned_argument(self, args, index, key, arg.keyword, "dag")

    def _renamed(self, key: str, new: str) -> str:
        if key in self.facts["dag_args_removed"]:
            return f"`{key}=` was removed in Airflow 3: the DAG fails to load on {self.target}; use `{new}=`"
        return f"`{key}=` is deprecated on Airflow {self.target}: use `{new}=`"

    def _operator_call(self, name: str, args: list[cst.Arg]) -> None:
        for index, arg in enumerate(args):
            if arg.keyword is None:
                continue
            key = arg.keyword.value
            if key == "provide_context":
                self._provide_context(name, args, index)
            elif key == "task_concurrency" and "max_active_tis_per_dag" in self.base_args:
                gone = "task_concurrency" not in self.base_args
                self.findings.append(Finding("DS506", arg.keyword, (
                    f"`task_concurrency=` was removed in Airflow 3: the DAG fails on {self.target} with \"Invalid "
                    "arguments were passed\"; use `max_active_tis_per_dag=`" if gone else
                    f"`task_concurrency=` is deprecated on Airflow {self.target}: use `max_active_tis_per_dag=`"
                ), fix=rename_keyword(self.ctx, arg, "max_active_tis_per_dag"), severity=severity.task_concurrency(self.base_args)))
            elif (name, key) in CLASS_ARGUMENT_CHANGES:
                class_argument(self, name, args, index)
            elif key == "trigger_rule" and trigger_rule_value(self, arg.value):
                continue
            else:
                warned_argument(self, args, index, key, arg.keyword, "operator")

    def _provide_context(self, name: str, args: list[cst.Arg], index: int, python: bool = False) -> None:
        from dagshift.rules.dag_api.repo_operators import accepted, lookup

        arg = args[index]
        python = python or name in self.facts["python_family"]
        entry = lookup(self.ctx.facts, name, self.ctx.relpath) if not python else None
        if entry is not None:
            found = accepted(self.ctx.facts, self.target, entry)
            if found is None or "provide_context" in found[0]:
                return  # the repository's operator takes it, or may: nothing to prove
        level = severity.provide_context(self.facts, python)
        if level == WARNING:
            message = (f"`provide_context` is deprecated on Airflow {self.target}: {name} always passes the "
                       "context to callables that take it")
        else:
            message = (f"`provide_context` is not an argument of {name} on Airflow {self.target}: "
                       f"{refused(self.ctx, arg, INVALID)}")
        self.findings.append(Finding("DS501", arg.keyword, message, severity=level,
                                     fix=drop_item(self.ctx, args, index, "provide_context")))

    def visit_Dict(self, node: cst.Dict) -> None:
        elements = list(node.elements)
        for index, element in enumerate(elements):
            if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
                continue
            key = element.key.evaluated_value
            if key == "trigger_rule" and trigger_rule_value(self, element.value):
                continue  # (default_args hands it to every operator: the same rule, renamed)
            if key == "provide_context":
                self.findings.append(Finding("DS501", element.key, (
                    f"`provide_context` in default_args has no effect on Airflow {self.target}: the context is "
                    "always passed to callables that take it"
                ), severity=severity.IGNORED, fix=drop_item(self.ctx, elements, index, "provide_context")))
            elif (isinstance(key, str) and self._default_args_like(elements, key)
                  and warned_argument(self, elements, index, key, element.key, "operator")):
                continue
            elif key == "task_concurrency" and "max_active_tis_per_dag" in self.base_args:
                start, end = self.ctx.span(element.key)
                quote = element.key.value[0]
                gone = "task_concurrency" not in self.base_args
                self.findings.append(Finding("DS506", element.key, (
                    # (default_args hands an operator only the names its signature takes: no error)
                    f"`task_concurrency` in default_args was removed in Airflow 3: {self.target} ignores it and "
                    "the limit is lost; use `max_active_tis_per_dag`" if gone else
                    f"`task_concurrency` is deprecated on Airflow {self.target}: use `max_active_tis_per_dag`"
                ), severity=severity.IGNORED,
                    fix=replace_span(start, end, f"{quote}max_active_tis_per_dag{quote}", "rename to `max_active_tis_per_dag`")))

    def _default_args_like(self, elements: list, key: str) -> bool:
        """A dict most of whose keys are BaseOperator arguments (`{"owner": ..., "email": ...}`),
        not any dict that happens to have an `email` key."""
        keys = {e.key.evaluated_value for e in elements
                if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)}
        known = keys & self.base_args
        return bool(known - {key}) and len(known) * 2 >= len(keys)

    def _days_ago(self, node: cst.Call, args: list[cst.Arg]) -> None:
        fix = None
        replacement = days_ago_replacement(self.ctx.module, args)
        if replacement is not None:
            text, exact = replacement
            start, end = self.ctx.span(node)
            edits = [Edit(start, end, text)]
            if "pendulum" not in self.ctx.imports.by_local:
                edits.append(self._import_pendulum())
            fix = Fix(tuple(edits), SAFE if exact else UNSAFE, 'use `pendulum.today("UTC").add(days=-N)`')
        state = (f"was removed in Airflow 3 (its import fails on {self.target})" if self.facts["days_ago_removed"]
                 else f"is deprecated on Airflow {self.target}: a start date that moves with the clock")
        self.findings.append(Finding("DS505", node.func, (
            f"`days_ago()` {state}; prefer a fixed date, or `pendulum.today(\"UTC\").add(days=-N)`"
        ), fix=fix, severity=severity.days_ago(self.facts)))

    def _import_pendulum(self) -> Edit:
        return self._import_line("import pendulum")

    def _import_line(self, line: str) -> Edit:
        """An import statement inserted above the file's first top-level import (after __future__)."""
        first = next((i for i in self.ctx.imports if not i.enclosing and i.module != "__future__"), None)
        if first is not None:
            at = line_start(self.ctx.index, self.ctx.span(first.statement)[0])
            return Edit(at, at, line + self.ctx.module.default_newline)
        return Edit(0, 0, line + self.ctx.module.default_newline)

    def _configuration(self, node: cst.Call, dotted: str, name: str) -> None:
        fix = None
        start, end = self.ctx.span(node.func)
        if isinstance(node.func, cst.Attribute):
            module_part = dotted.rsplit(".", 1)[0]
            fix = replace_span(start, end, f"{module_part}.conf.{name}", f"call `conf.{name}`")
        elif isinstance(node.func, cst.Name):
            # `from airflow.configuration import get`: call the same method on `conf`, imported
            # beside the function (the function's own import is left: other code may use it).
            local = self.ctx.imports.resolve("conf")
            edits = [Edit(start, end, f"conf.{name}")]
            if local != "airflow.configuration.conf":
                if "conf" in self.ctx.imports.by_local:
                    edits = []  # `conf` means something else here: no mechanical fix
                else:
                    edits.append(self._import_line("from airflow.configuration import conf"))
            fix = Fix(tuple(edits), SAFE, f"call `conf.{name}`") if edits else None
        self.findings.append(Finding("DS509", node.func, (
            f"`airflow.configuration.{name}()` is deprecated on Airflow {self.target}: use `airflow.configuration.conf.{name}()`"
        ), fix=fix))

    def finish(self) -> None:
        self._task_params()
        self._dag_shifts()
        self._imports()
        self._template_fields()
        replaced_imports(self)
        judge_dag_attributes(self)

    def _dag_shifts(self) -> None:
        for node in self.shifts:
            for side in (node.left, node.right):
                if isinstance(side, cst.Name) and side.value in self.dag_names:
                    self.findings.append(Finding("DS508", node, (
                        f"`{self.ctx.module.code_for_node(node)}` sets a dependency between a DAG and a task, "
                        "which Airflow refuses since 2.0: create the task inside `with DAG(...)` or pass `dag=`"
                    )))
                    break
        for call in self.chain_calls:
            for arg in call.args:
                if isinstance(arg.value, cst.Name) and arg.value.value in self.dag_names:
                    self.findings.append(Finding("DS508", arg.value, (
                        f"`{arg.value.value}` is a DAG: since Airflow 2, chain()/cross_downstream() take tasks only"
                    )))

    def _imports(self) -> None:
        subdag = self.facts["subdag_removed"] or self.facts["subdag_deprecated"]
        moved = subdag and self._subdags()
        for imported in self.ctx.imports:
            qualified = imported.qualified
            fix = None
            if qualified in SUBDAG and moved:
                fix = Fix((remove_imported_name(self.ctx, imported),), UNSAFE, "remove the import")
            if qualified in SUBDAG and self.facts["subdag_removed"]:
                self.findings.append(Finding("DS510", imported.alias.name, (
                    f"SubDagOperator was removed in Airflow 3: the import fails on {self.target}; rewrite the "
                    "sub-DAG as a TaskGroup (`airflow.sdk.TaskGroup`) in the parent DAG"
                ), severity=severity.subdag(self.facts), fix=fix))
            elif qualified in SUBDAG and self.facts["subdag_deprecated"]:
                self.findings.append(Finding("DS510", imported.alias.name, (
                    f"SubDagOperator is deprecated on Airflow {self.target}: use a TaskGroup"
                ), severity=severity.subdag(self.facts), fix=fix))
            if qualified == "airflow.operators.dummy.DummyOperator" and self.facts["empty_operator"]:
                if any(alt.qualified != qualified for alt in self.ctx.imports.alternatives(imported)):
                    continue  # a version fallback beside the EmptyOperator import: the author's choice
                self.findings.append(self._dummy(imported, self.ctx.name_uses))

    def _subdags(self) -> bool:
        from dagshift.rules.dag_api.subdag_fix import subdag_findings

        return subdag_findings(self, self.subdag_calls)

    def _dummy(self, imported: Any, uses: NameUses) -> Finding:
        from dagshift.fixers.imports import move_names

        statement = imported.statement
        home = self.facts["empty_operator"]  # where EmptyOperator imports cleanly on the target
        fix = None
        if isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar):
            index = list(statement.names).index(imported.alias)
            edits: list[Edit] = []
            applicability = SAFE
            new_name = "EmptyOperator"
            if imported.alias.asname is None:
                sites = uses.rename_sites(imported.local)
                if sites is None:
                    new_name, applicability = "EmptyOperator as DummyOperator", UNSAFE
                else:
                    edits = [Edit(*self._span(n), "EmptyOperator") for n in sites]
            span = self.ctx.span(statement)
            edits.insert(0, move_names(self.ctx.module, statement, span, indent_at(self.ctx.index, span[0]),
                                       {index: (home, new_name)}))
            from dagshift.rules.imports.tables import rewrite_proof

            proof = rewrite_proof(self.target, "airflow.operators.dummy.DummyOperator", f"{home}.EmptyOperator")
            if proof is None or proof[0] != "proven":
                applicability = UNSAFE  # (real Airflow has not shown EmptyOperator does what DummyOperator did)
            fix = Fix(tuple(edits), applicability, f"use `{home}.EmptyOperator`")
        if self.facts["dummy_removed"]:
            return Finding("DS503", imported.alias.name, (
                f"DummyOperator was removed in Airflow 3: the import fails on {self.target}; use `{home}.EmptyOperator`"
            ), fix=fix, severity=severity.dummy_operator(self.facts))
        return Finding("DS503", imported.alias.name, (
            f"DummyOperator is deprecated on Airflow {self.target}: use `{home}.EmptyOperator`"
        ), fix=fix, severity=severity.dummy_operator(self.facts))

    def _span(self, node: cst.CSTNode) -> tuple[int, int]:
        return self.ctx.span(node)

    def _template_fields(self) -> None:
        for stmt in self.ctx.module.body:
            if not isinstance(stmt, cst.ClassDef) or not isinstance(stmt.body, cst.IndentedBlock):
                continue
            for line in stmt.body.body:
                if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
                    continue
                small = line.body[0]
                if (isinstance(small, cst.Assign) and len(small.targets) == 1
                        and isinstance(small.targets[0].target, cst.Name)
                        and small.targets[0].target.value in ("template_fields", "template_ext")
                        and isinstance(small.value, cst.SimpleString)):
                    start, end = self.ctx.span(small.value)
                    code = self.ctx.module.code_for_node(small.value)
                    self.findings.append(Finding("DS511", small.value, (
                        f"`{small.targets[0].target.value}` is a string: Airflow iterates it character by "
                        "character; make it a tuple"
                    ), fix=Fix((Edit(start, end, f"({code},)"),), SAFE, "make it a one-element tuple")))
