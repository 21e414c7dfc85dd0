"""The rule registry: every rule of a run by code, validated once (rule-blind: it takes rule classes)."""

from __future__ import annotations

import importlib
from typing import Iterable, Iterator, Optional

from dagshift.linter.rule import Rule, validate_rule


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

    def __iter__(self) -> Iterator[type[Rule]]:
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)


def rules_in(module_name: str) -> list[type[Rule]]:
    """The rule classes a module declares (not the ones it imports, nor abstract bases without a code)."""
    module = importlib.import_module(module_name)
    return [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__
        and "code" in vars(obj)
    ]
