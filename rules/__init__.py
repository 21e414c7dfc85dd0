"""Every rule family, like ruff's codes table: the one place that lists them.

Importing a family's `rules` module must stay cheap (no libcst, no data tables): `dagshift rules`
loads them all. The engine never imports a family; the CLI asks this module for the registry.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from dagshift.linter.registry import Registry, rules_in

FAMILIES = ("tool", "imports", "plugins", "requirements", "config", "dag_api", "serverless")
# A family whose rules outgrow one module adds a module here (its Airflow 3 rules, say).
RULE_MODULES = tuple(f"dagshift.rules.{family}.rules" for family in FAMILIES) + ("dagshift.rules.dag_api.rules3",)


# `dagshift convert --to X`: the platform whose rules' `convert(args, registry)` does it (the family
# runs its own command, so neither the CLI nor this module imports a family).
CONVERTERS = {"mwaa-serverless": "serverless"}


def convert(args: Any, registry: Registry) -> int:
    """`dagshift convert --to mwaa-serverless`: the serverless family's command."""
    import sys

    rule = next((r for r in registry if r.platform == CONVERTERS[args.to]), None)
    if rule is None:
        print(f"dagshift: error: no rules of the {CONVERTERS[args.to]} platform are loaded", file=sys.stderr)
        return 2
    command: Any = rule  # a platform's rule class carries `convert`; Rule itself does not
    return int(command.convert(args, registry))


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    found = [rule for name in RULE_MODULES for rule in rules_in(name)]
    # The shipped docs are checked by the test suite (tests/rules/test_rule_docs.py), not on every start.
    return Registry(found, check_docs=False)
