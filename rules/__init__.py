"""The rule registry: one table of every rule module, like ruff's codes table.

Importing a rule module must stay cheap (no libcst, no data tables): `dagshift rules` loads them all.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Iterable, Optional

from rules.base import Rule, validate_rule

RULE_MODULES = (
    "rules.meta",
    "rules.imports_moved",
    "rules.imports_toplevel",
    "rules.requirements_rules",
    "rules.plugins",
    "rules.dag_api",
    "rules.config_rules",
)


class Registry:
    def __init__(self, rules: Iterable[type[Rule]], check_docs: bool = True) -> None:
        self.rules: dict[str, type[Rule]] = {}
        problems: list[str] = []
        for rule in rules:
            problems.extend(validate_rule(rule, docs=check_docs))
            if rule.code in self.rules:
                problems.append(f"{rule.code} is defined twice")
            self.rules[rule.code] = rule
        if problems:
            raise ValueError("invalid rule declarations:\n  " + "\n  ".join(problems))
        self.rules = dict(sorted(self.rules.items()))

    def get(self, code: str) -> Optional[type[Rule]]:
        return self.rules.get(code.upper())

    def codes(self) -> list[str]:
        return list(self.rules)

    def __iter__(self):
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)


def rules_in(module_name: str) -> list[type[Rule]]:
    module = importlib.import_module(module_name)
    return [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__
        and "code" in vars(obj)
    ]


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    found: list[type[Rule]] = []
    for name in RULE_MODULES:
        found.extend(rules_in(name))
    # The shipped docs are checked by the test suite (tests/test_rules_meta.py), not on every start.
    return Registry(found, check_docs=False)
