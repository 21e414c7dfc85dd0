"""Rules defined by the tests to exercise the engine, independent of the real rule set.

They are deliberately small but real: they parse, resolve imports through the import table, fix
with edits, read project facts and cross-file records, exactly as product rules do.
"""

from __future__ import annotations

import re

import libcst as cst

from dagshift.linter.diagnostics import Edit, Fix
from dagshift.linter.registry import Registry, rules_in
from dagshift.linter.rule import SAFE, UNSAFE, WARNING, Example, Rule

DOC = """
## What it does
{what}

## Why it matters on Airflow 2
Test rule.

## Example
```python
x = 1
```

## Fix safety
{fix}
"""


class BashImport(Rule):
    code = "DS191"
    name = "demo-bash-operator-module"
    message = "`{old}` moved to `{new}`"
    doc = DOC.format(what="Reports imports from `airflow.operators.bash_operator`.", fix="Safe: rewrite the module.")
    kinds = frozenset({"python"})
    fix = SAFE
    tokens = ("bash_operator",)
    valid = (Example("from airflow.operators.bash import BashOperator\n"),)
    invalid = (
        Example(
            "from airflow.operators.bash_operator import BashOperator\n",
            "from airflow.operators.bash import BashOperator\n", findings=((1, 45, '`airflow.operators.bash_operator.BashOperator` moved to `airflow.operators.bash.BashOperator`'),)),
    )

    def check(self, ctx):
        for imported in ctx.imports:
            if imported.name is None or imported.module != "airflow.operators.bash_operator":
                continue
            node = imported.statement.module
            start, end = ctx.span(node)
            name_start, name_end = ctx.span(imported.alias.name)
            ctx.report(
                name_start,
                name_end,
                old=f"{imported.module}.{imported.name}",
                new=f"airflow.operators.bash.{imported.name}",
                fix=Fix((Edit(start, end, "airflow.operators.bash"),), SAFE, "import from `airflow.operators.bash`"),
            )


class ProvideContext(Rule):
    code = "DS591"
    name = "demo-provide-context"
    message = "`provide_context` is not needed on Airflow 2"
    doc = DOC.format(what="Reports `provide_context=` keyword arguments.", fix="Unsafe: drop the argument.")
    kinds = frozenset({"python"})
    severity = WARNING
    fix = UNSAFE
    tokens = ("provide_context",)

    def check(self, ctx):
        from dagshift.linter.walk import walk

        rule_ctx = ctx

        class Visitor:
            def visit_Call(self, node: cst.Call) -> None:
                for i, arg in enumerate(node.args):
                    if arg.keyword is not None and arg.keyword.value == "provide_context":
                        start, end = rule_ctx.span(arg)
                        if i + 1 < len(node.args):
                            end = rule_ctx.span(node.args[i + 1])[0]
                        elif i > 0:
                            start = rule_ctx.span(node.args[i - 1].value)[1]
                        rule_ctx.report_node(arg.keyword, fix=Fix((Edit(start, end, ""),), UNSAFE, "remove `provide_context`"))

        walk(ctx.module, Visitor())


class BackportRequirement(Rule):
    code = "DS391"
    name = "demo-backport-provider"
    message = "`{old}` is a backport provider; use `{new}`"
    doc = DOC.format(what="Reports backport provider lines.", fix="Safe: rename.")
    kinds = frozenset({"requirements"})
    fix = SAFE
    tokens = ("backport-providers",)
    PATTERN = re.compile(r"^(apache-airflow-backport-providers-([a-z0-9-]+))[^\r\n]*", re.M)

    def check(self, ctx):
        for match in self.PATTERN.finditer(ctx.text):
            new = f"apache-airflow-providers-{match.group(2)}"
            ctx.report(
                match.start(1), match.end(1), old=match.group(1), new=new,
                fix=Fix((Edit(match.start(), match.end(), new),), SAFE, f"replace with `{new}`"),
            )
            ctx.record("providers", new)


class MissingProvider(Rule):
    """Reads what Python files recorded: runs in the second wave."""

    code = "DS392"
    name = "demo-missing-provider"
    message = "`{dist}` is imported by {where} but not required"
    doc = DOC.format(what="Reports providers that DAG files need and requirements lack.", fix="None.")
    kinds = frozenset({"requirements"})
    reads_records = frozenset({"needs"})

    def check(self, ctx):
        for path, dist in ctx.records.get("needs", []):
            if dist not in ctx.text:
                ctx.report(0, 0, dist=dist, where=path)


class NeedsAmazon(Rule):
    code = "DS192"
    name = "demo-records-provider"
    message = "uses the Amazon provider"
    doc = DOC.format(what="Records that a DAG imports the amazon provider.", fix="None.")
    kinds = frozenset({"python"})
    severity = WARNING
    tokens = ("providers.amazon",)
    records = frozenset({"needs"})

    def check(self, ctx):
        for imported in ctx.imports:
            if imported.qualified.startswith("airflow.providers.amazon"):
                ctx.record("needs", "apache-airflow-providers-amazon")


class PluginNames(Rule):
    """Project phase: learns plugin module names, then flags `airflow.operators.<plugin>` imports."""

    code = "DS291"
    name = "demo-plugin-import"
    message = "`{module}` is a plugin module; import it directly"
    doc = DOC.format(what="Reports plugin-namespace imports.", fix="None.")
    kinds = frozenset({"python"})
    project_kinds = frozenset({"python"})
    tokens = ("airflow.operators.",)

    def collect_project(self, project):
        names = set()
        for entry in project.files_of("python"):
            parts = entry.relpath.split("/")
            if "plugins" in parts[:-1]:
                names.add(parts[-1][:-3])
        project.facts["plugin_modules"] = sorted(names)

    def check(self, ctx):
        for imported in ctx.imports:
            tail = imported.module.rpartition(".")[2]
            if imported.module.startswith("airflow.operators.") and tail in ctx.facts.get("plugin_modules", []):
                ctx.report_node(imported.statement.module, module=imported.module)


class SecretsBackend(Rule):
    code = "DS491"
    name = "demo-secrets-backend"
    message = "secrets backend `{old}` moved"
    doc = DOC.format(what="Reports the contrib secrets backend in airflow.cfg.", fix="Safe: rewrite the value.")
    kinds = frozenset({"airflow-cfg", "env"})
    fix = SAFE
    tokens = ("airflow.contrib.secrets",)
    OLD = "airflow.contrib.secrets.aws_secrets_manager.SecretsManagerBackend"
    NEW = "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"

    def check(self, ctx):
        start = ctx.text.find(self.OLD)
        while start >= 0:
            end = start + len(self.OLD)
            ctx.report(start, end, old=self.OLD, fix=Fix((Edit(start, end, self.NEW),), SAFE))
            start = ctx.text.find(self.OLD, end)


class Crashes(Rule):
    code = "DS592"
    name = "demo-crash"
    message = "never shown"
    doc = DOC.format(what="Raises on files that mention `crash_me`.", fix="None.")
    kinds = frozenset({"python"})
    tokens = ("crash_me",)

    def check(self, ctx):
        raise RuntimeError("boom")


class BreaksCode(Rule):
    code = "DS593"
    name = "demo-broken-fix"
    message = "a fix that breaks the file"
    doc = DOC.format(what="Offers a fix that does not parse.", fix="Safe (and wrong).")
    kinds = frozenset({"python"})
    fix = SAFE
    tokens = ("break_me",)

    def check(self, ctx):
        start = ctx.text.find("break_me")
        ctx.report(start, start + 8, fix=Fix((Edit(start, start + 8, "break me("),), SAFE))


class SelfOverlapping(Rule):
    code = "DS594"
    name = "demo-self-overlapping-fix"
    message = "a fix whose edits overlap each other"
    doc = DOC.format(what="Offers a fix with two overlapping edits.", fix="Safe (and inconsistent).")
    kinds = frozenset({"python"})
    fix = SAFE
    tokens = ("overlap_me",)

    def check(self, ctx):
        start = ctx.text.find("overlap_me")
        edits = (Edit(start, start + 7, "a"), Edit(start + 3, start + 10, "b"))
        ctx.report(start, start + 10, fix=Fix(edits, SAFE))


def demo_registry() -> Registry:
    return Registry(rules_in("dagshift.rules.tool.rules") + rules_in(__name__))
