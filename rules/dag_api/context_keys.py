"""DS507's checks, mixed into the DS5xx visitor: template-context keys 2.x deprecates and 3.x removed,
in lookups, `{{ ... }}` templates and task-callable parameters (keys and replacements from the wheels)."""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

import libcst as cst

from dagshift.linter.diagnostics import SAFE, Edit, Fix
from dagshift.linter.findings import Finding
from dagshift.linter.imports import dotted_name
from dagshift.rules.dag_api import severity

JINJA_RE = re.compile(r"\{\{(.*?)\}\}", re.S)
CONTEXT_NAMES = ("context", "kwargs", "ctx", "kw")


def _jinja_fix(offset: int, expression: str, token: Any, exact: Optional[str]) -> Optional[Fix]:
    """The one replacement Airflow's own table gives, written into the template: a variable in place
    of the name (`next_execution_date` -> `data_interval_end`), or a whole `{{ ... }}` expression
    when the template is that name alone (`{{ next_ds }}` -> `{{ data_interval_end | ds }}`)."""
    if exact is None:
        return None
    if exact.startswith("{{"):
        if expression.strip() != token.group(0):
            return None
        inner = exact[2:-2].strip()
        return Fix((Edit(offset, offset + len(expression), f" {inner} "),), SAFE, f"use `{exact}`")
    if not re.fullmatch(r"[A-Za-z_]\w*", exact):
        return None
    return Fix((Edit(offset + token.start(), offset + token.end(), exact),), SAFE, f"use `{exact}`")


TOKEN_RE = re.compile(r"(?<![.\w])[A-Za-z_][A-Za-z0-9_]*")


def deprecated_key(facts: dict, key: str) -> Optional[tuple[str, bool, Optional[str]]]:
    """(advice, removed on this target, the one exact replacement or None) for a context key."""
    removed = facts["context_removed"]
    replacements = removed if key in removed else facts["context_deprecations"]
    if key not in replacements:
        return None
    choices = replacements[key]
    if not choices:
        advice = "it has no direct replacement: derive it from `data_interval_start`/`data_interval_end`"
    else:
        advice = "use " + " or ".join(f"`{c}`" for c in choices)
    return advice, key in removed, choices[0] if len(choices) == 1 else None


def state(target: str, removed: bool) -> str:
    return f"was removed in Airflow 3 and is undefined on {target}" if removed else f"is deprecated on Airflow {target}"


def template_keys(facts: dict, target: str, text: str, offset: int) -> Iterator[tuple[int, int, str, str, Optional[Fix]]]:
    """Each context key inside a `{{ ... }}` of `text` (a string literal's source, a template file):
    (start, end, message, severity, fix), positions shifted by `offset` (where `text` starts)."""
    if "{{" not in text:
        return
    for match in JINJA_RE.finditer(text):
        expression = match.group(1)
        for token in TOKEN_RE.finditer(expression):
            known = deprecated_key(facts, token.group(0))
            if known is None:
                continue
            advice, removed, exact = known
            start = offset + match.start(1) + token.start()
            yield (start, start + len(token.group(0)),
                   f"template variable `{token.group(0)}` {state(target, removed)}: {advice}",
                   severity.context_key(facts, token.group(0)), _jinja_fix(offset + match.start(1), expression, token, exact))


def template_findings(ctx: Any, facts: dict) -> list[Finding]:
    """DS507 in a template file (`.sql`, `.sh`, `.json`, `.yaml`, `.j2`...): each `{{ ... }}` read as
    text, the same keys and fixes as in a DAG file's string literals."""
    return [Finding.at_span("DS507", start, end, message, severity=level, fix=fix)
            for start, end, message, level, fix in template_keys(facts, ctx.target, ctx.text, 0)]


class ContextKeyChecks:
    """Needs the visitor's ctx, facts, target, findings, task_params and callables."""

    ctx: Any
    facts: dict
    target: str
    findings: list[Finding]
    task_params: list[tuple[cst.FunctionDef, cst.Param, str]]
    callables: set[str]

    def _deprecated_key(self, key: str) -> Optional[tuple[str, bool, Optional[str]]]:
        return deprecated_key(self.facts, key)

    def _state(self, removed: bool) -> str:
        return state(self.target, removed)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        key_node = node.slice[0].slice.value
        if isinstance(key_node, cst.SimpleString):
            self._context_key(key_node, key_node.evaluated_value, dotted_name(node.value) or "")

    def _context_get(self, node: cst.Call) -> None:
        first = node.args[0].value
        if isinstance(first, cst.SimpleString) and isinstance(node.func, cst.Attribute):
            owner = dotted_name(node.func.value) or ""
            if owner in CONTEXT_NAMES:
                self._context_key(first, first.evaluated_value, owner)

    def _context_key(self, node: cst.CSTNode, key: Any, owner: str) -> None:
        if not isinstance(key, str):
            return
        found = self._deprecated_key(key)
        if found is None:
            return
        advice, removed, _ = found
        if removed and key == "conf" and owner not in CONTEXT_NAMES:
            return  # `settings["conf"]`: too common a word to call an error outside the context
        self.findings.append(Finding("DS507", node, f"context key `{key}` {self._state(removed)}: {advice}",
                                     severity=severity.context_key(self.facts, key)))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """A task callable that names a removed key as a parameter: Airflow 3 has no value to pass."""
        if not self.facts["context_removed"]:
            return
        for param in (*node.params.params, *node.params.kwonly_params):
            key = param.name.value
            if key in self.facts["context_removed"] and key != "conf" and param.default is None:
                self.task_params.append((node, param, key))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.value
        if "{{" not in value or not next(template_keys(self.facts, self.target, value, 0), None):
            return  # (checked before the literal's position is computed: most strings have no key)
        start = self.ctx.span(node)[0]
        for _, _, message, level, fix in template_keys(self.facts, self.target, value, start):
            self.findings.append(Finding("DS507", node, message, fix=fix, severity=level))

    def _task_params(self) -> None:
        if not self.task_params:
            return
        from dagshift.rules.dag_api.callables import task_callables

        callables = self.callables | task_callables(self.ctx.module)
        for function, param, key in self.task_params:
            if function.name.value in callables or any(self._is_task(d) for d in function.decorators):
                advice = self._deprecated_key(key)[0]  # type: ignore[index]
                self.findings.append(Finding("DS507", param.name, (
                    f"task parameter `{key}` names a context key that was removed in Airflow 3: {self.target} has no "
                    f"value for it and the task fails; {advice}"
                ), severity=severity.context_key(self.facts, key)))

    def _is_task(self, decorator: cst.Decorator) -> bool:
        node = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        dotted = dotted_name(node) or ""
        qualified = self.ctx.imports.resolve(dotted) or dotted
        return qualified.split(".")[:2] == ["airflow", "decorators"] and "task" in qualified or qualified in (
            "airflow.sdk.task", "airflow.decorators.task") or qualified.startswith(("airflow.sdk.task.", "airflow.decorators.task."))
