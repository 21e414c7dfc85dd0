"""DS507's checks, mixed into the DS5xx visitor: template-context keys 2.x deprecates and 3.x removed,
in lookups, `{{ ... }}` templates and task-callable parameters (keys and replacements from the wheels)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator, NamedTuple, Optional

import libcst as cst

from dagshift.linter.diagnostics import SAFE, UNSAFE, Edit, Fix
from dagshift.linter.findings import Finding
from dagshift.linter.imports import dotted_name
from dagshift.linter.tables import load_table
from dagshift.rules.dag_api import severity

JINJA_RE = re.compile(r"\{\{(.*?)\}\}", re.S)
STATEMENT_RE = re.compile(r"\{%(.*?)%\}", re.S)
STRING_RE = re.compile(r"'[^']*'|\"[^\"]*\"")
CONTEXT_NAMES = ("context", "kwargs", "ctx", "kw")
TOKEN_RE = re.compile(r"(?<![.\w])[A-Za-z_][A-Za-z0-9_]*")
NAME_RE = re.compile(r"[A-Za-z_]\w*")


class KeyVerdict(NamedTuple):
    """What DS507 says of one context key on one target."""

    advice: str
    removed: bool
    template: Optional[str]  # what replaces the key in a template: a name, an expression or a whole `{{ ... }}`
    python: Optional[str]  # the key that replaces it in `context["..."]`
    safety: str  # SAFE where proven to render the same text (data/context_successors.json)


@lru_cache(maxsize=1)
def successors() -> dict:
    """The successors proven in real Airflow (scripts/verify_context_keys.py) and the advice for the rest."""
    return load_table("context_successors", "successors", "no_successor", "inexact")


def deprecated_key(facts: dict, key: str) -> Optional[KeyVerdict]:
    """The verdict on a context key the target deprecates or removed; None for any other name."""
    removed = facts["context_removed"]
    replacements = removed if key in removed else facts["context_deprecations"]
    if key not in replacements:
        return None
    proven = successors()["successors"].get(key)
    if proven is not None:
        template = proven["template"]
        same = "the same value" if proven["python"] else "the same text"
        shown = template if NAME_RE.fullmatch(template) else "{{ " + template + " }}"
        return KeyVerdict(f"use `{shown}`, {same}", key in removed, template, proven["python"], SAFE)
    choices = replacements[key]
    if not choices:
        advice = successors()["no_successor"].get(key, "derive it from `data_interval_start`/`data_interval_end`")
        return KeyVerdict(f"it has no direct replacement: {advice}", key in removed, None, None, SAFE)
    exact = choices[0] if len(choices) == 1 else None
    advice = "use " + " or ".join(f"`{c}`" for c in choices)
    inexact = successors()["inexact"].get(key)  # Airflow's one replacement, which the proof found differs on some runs
    if inexact is not None:
        return KeyVerdict(f"{advice} ({inexact})", key in removed, exact, None, UNSAFE)
    return KeyVerdict(advice, key in removed, exact, None, SAFE)


def _variables(expression: str) -> set[str]:
    """The names a Jinja expression reads as variables: not attributes, filters or keyword names."""
    return {t.group(0) for t in TOKEN_RE.finditer(expression)
            if not re.search(r"\|\s*$", expression[:t.start()]) and not re.match(r"\s*=(?!=)", expression[t.end():])}


def _rebinds(text: str, names: set[str]) -> bool:
    """Whether a `{% ... %}` of the template binds or names one of `names` (`{% set ds = ... %}`,
    `{% for logical_date in ... %}`, a macro's parameter): the successor would read that instead."""
    return any(names & set(TOKEN_RE.findall(block)) for block in STATEMENT_RE.findall(text))


def _is_variable(expression: str, token: Any) -> bool:
    """The name is read as a variable: not inside a string literal, not a keyword argument's name."""
    if any(m.start() < token.start() < m.end() for m in STRING_RE.finditer(expression)):
        return False
    rest = expression[token.end():].lstrip()
    return not (rest.startswith("=") and not rest.startswith("=="))


def _jinja_fix(offset: int, expression: str, token: Any, verdict: KeyVerdict, text: str) -> Optional[Fix]:
    """The successor written into the template: a name in place of the name (`execution_date` ->
    `logical_date`), a proven expression in its place (in parentheses inside a larger expression), or
    a whole `{{ ... }}` when Airflow's own table gives one and the template is that name alone."""
    exact = verdict.template
    if exact is None:
        return None
    alone = expression.strip() == token.group(0)
    if exact.startswith("{{"):
        if not alone:
            return None
        inner = exact[2:-2].strip()
        return Fix((Edit(offset, offset + len(expression), f" {inner} "),), verdict.safety, f"use `{exact}`")
    if _rebinds(text, _variables(exact) | {token.group(0)}):  # (`{% set execution_date = ... %}`: no context key)
        return None
    if NAME_RE.fullmatch(exact):
        return Fix((Edit(offset + token.start(), offset + token.end(), exact),), verdict.safety, f"use `{exact}`")
    if alone:
        return Fix((Edit(offset, offset + len(expression), f" {exact} "),), verdict.safety, f"use `{{{{ {exact} }}}}`")
    return Fix((Edit(offset + token.start(), offset + token.end(), f"({exact})"),), verdict.safety, f"use `({exact})`")


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
            verdict = deprecated_key(facts, token.group(0))
            if verdict is None or not _is_variable(expression, token):
                continue  # (`params["execution_date"]`, `f(execution_date=1)`: no context key is read)
            start = offset + match.start(1) + token.start()
            yield (start, start + len(token.group(0)),
                   f"template variable `{token.group(0)}` {state(target, verdict.removed)}: {verdict.advice}",
                   severity.context_key(facts, token.group(0)),
                   _jinja_fix(offset + match.start(1), expression, token, verdict, text))


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

    def _deprecated_key(self, key: str) -> Optional[KeyVerdict]:
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

    def _context_key(self, node: cst.SimpleString, key: Any, owner: str) -> None:
        if not isinstance(key, str):
            return
        verdict = self._deprecated_key(key)
        if verdict is None:
            return
        if verdict.removed and key == "conf" and owner not in CONTEXT_NAMES:
            return  # `settings["conf"]`: too common a word to call an error outside the context
        advice, fix = verdict.advice, None
        if verdict.python is not None and owner in CONTEXT_NAMES:
            # `context["execution_date"]` -> `context["logical_date"]`: the same object on 2.x, the same value on 3.x
            start, end = self.ctx.span(node)
            prefix = node.prefix + node.quote
            fix = Fix((Edit(start + len(prefix), end - len(node.quote), verdict.python),), verdict.safety,
                      f"use `{verdict.python}`")
        elif verdict.python is None and key in successors()["successors"]:
            advice = (f"in Python it is no key of the context: derive it from `logical_date` "
                      f"(in a template `{{{{ {verdict.template} }}}}` renders the same text)")
        self.findings.append(Finding("DS507", node, f"context key `{key}` {self._state(verdict.removed)}: {advice}",
                                     severity=severity.context_key(self.facts, key), fix=fix))

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
                verdict = self._deprecated_key(key)
                assert verdict is not None
                advice = verdict.advice
                if verdict.python is not None:  # a new signature: callers passing `execution_date=` would break
                    advice = f"rename it and its uses to `{verdict.python}`, the same value"
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
