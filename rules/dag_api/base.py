"""The DAG API family's rule base: one analysis pass, and where each rule can find anything."""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Optional

from dagshift.linter.rule import FamilyRule

GATES: dict[str, Callable[[dict], Any]] = {
    "empty_operator": lambda facts: facts["empty_operator"],
    "schedule": lambda facts: "schedule" in facts["dag_args"],
    "days_ago": lambda facts: facts["days_ago_deprecated"] or facts["days_ago_removed"],
    "max_active_tasks": lambda facts: "max_active_tasks" in facts["dag_args"],
    "context_keys": lambda facts: facts["context_deprecations"] or facts["context_removed"],
    "configuration_deprecated": lambda facts: facts["configuration_deprecated"],
    "subdag": lambda facts: facts["subdag_deprecated"] or facts["subdag_removed"],
    "dag_args_removed": lambda facts: facts["dag_args_removed"],
    "changed_defaults": lambda facts: facts["changed_defaults"],
    "task_sdk_runtime": lambda facts: facts["task_sdk_runtime"],
}
# Gates read from another table than dag_api.json's facts: target -> whether the rule finds anything.
TARGET_GATES: dict[str, Callable[[str], Any]] = {
    "replaced_classes": lambda target: _replaced_on(target),
    "dag_attributes": lambda target: _dag_attributes_on(target),
}


def _dag_attributes_on(target: str) -> bool:
    from dagshift.rules.dag_api.tables import dag_attributes_removed

    return bool(dag_attributes_removed(target))


def _replaced_on(target: str) -> bool:
    from dagshift.rules.dag_api.tables import replaced, replacements

    return any(replaced(target, path) is not None for path in replacements()["classes"])


class _DagApiRule(FamilyRule):
    # Which per-target fact of data/dag_api.json decides where the rule can find anything (GATES;
    # None: all).
    gate: ClassVar[Optional[str]] = None

    @classmethod
    def applies_on(cls) -> Optional[list[str]]:
        if cls.gate is None:
            return None
        from dagshift.rules.dag_api.tables import api_targets

        targets = api_targets()
        if cls.gate in TARGET_GATES:
            return [t for t in targets if TARGET_GATES[cls.gate](t)]
        test = GATES[cls.gate]
        return [t for t, facts in targets.items() if test(facts)]

    @classmethod
    def severities(cls, target: str) -> tuple[str, ...]:
        from dagshift.rules.dag_api.severity import ON_TARGET, on_target

        if cls.code in ON_TARGET and cls.applies(target):
            return on_target(cls.code, target)
        return super().severities(target)

    kinds = frozenset({"python"})

    def analyse(self, ctx: Any) -> Any:
        found = []
        if ctx.kind == "python":
            from dagshift.rules.dag_api.analysis import analyse

            found = analyse(ctx)
        if YAML_KINDS <= self.kinds and (ctx.kind != "python" or ctx.text.startswith("# ---")):
            from dagshift.rules.dag_api.yaml_sources import analyse as yaml_analyse

            found = [*found, *yaml_analyse(ctx)]
        return found


# The kinds of the rules that judge DAGs written in YAML too (dag-factory and gusty files, gusty's
# frontmatter in `.py` and `.sql` task files): rules/dag_api/yaml_sources.py.
YAML_KINDS = frozenset({"python", "yaml", "template"})


class _YamlDagApiRule(_DagApiRule):
    """A DS5xx rule that judges DAGs written in YAML too, with the same code, facts and message."""

    kinds = YAML_KINDS
