"""The DAG API family's severities, from the target's facts (data/dag_api.json, operator_args.json).

The analysis asks these functions for each finding's severity; `Rule.severities` asks them for
every case a target has (`dagshift rules --target-version`), so the two cannot disagree. ERROR where
the target refuses the construct (the DAG does not load, the import or the task fails), WARNING
where it accepts it with a deprecation warning or ignores it. No libcst here: listing rules stays cheap.
"""

from __future__ import annotations

from typing import Callable

from dagshift.linter.diagnostics import ERROR, WARNING, ordered
from dagshift.linter.tables import load_table
from dagshift.rules.dag_api.tables import api_facts

# The DAG arguments DS504 and DS506 report (DS512 reports the other removed ones).
SCHEDULE_ARGUMENTS = ("schedule_interval", "timetable")
CONCURRENCY_ARGUMENT = "concurrency"
# DS502: an argument the class does not take fails the DAG; one it takes under a deprecated name, or
# one a class that reads **kwargs itself may take, warns.
ARGUMENT_REFUSED = ERROR
ARGUMENT_WARNED = WARNING
# What never fails, whatever the target: the context is passed anyway (`provide_context` in
# default_args), default_args hands an operator only the names its signature takes
# (`task_concurrency`), and the arguments Airflow 3 takes only to warn (DS512).
IGNORED = WARNING


facts = api_facts


def base_arguments(target: str) -> frozenset[str]:
    """The arguments BaseOperator takes on the target."""
    return frozenset(load_table("operator_args", "targets")["targets"][target]["BaseOperator"])


def removed(gone: bool) -> str:
    return ERROR if gone else WARNING


def dag_argument(target_facts: dict, key: str) -> str:
    """A DAG argument the target removed (error) or still takes with a warning."""
    return removed(key in target_facts["dag_args_removed"])


def task_concurrency(base_args: frozenset[str]) -> str:
    """An operator's `task_concurrency=`: refused where BaseOperator no longer takes it."""
    return removed("task_concurrency" not in base_args)


def provide_context(target_facts: dict, python_family: bool) -> str:
    """`provide_context=` on an operator: the Python operators of a target that pops it only warn;
    any other operator, or a target whose Python operators no longer pop it, refuses it."""
    return WARNING if python_family and target_facts["provide_context_popped"] else ERROR


def context_key(target_facts: dict, key: str) -> str:
    return removed(key in target_facts["context_removed"])


def days_ago(target_facts: dict) -> str:
    return removed(target_facts["days_ago_removed"])


# gusty's `!days_ago` tag: gusty defines it itself, so it loads everywhere; the date still moves.
DAYS_AGO_TAG = WARNING
# dag-factory 1.x refuses a `schedule_interval` key on every Airflow version (rules/dag_api/yaml_tools.py).
DAG_FACTORY_REFUSED = ERROR
# A key the target refuses, which a YAML tool drops instead of handing it on (gusty passes only the
# arguments a signature names; dag-factory builds DAG(...) from the keys it knows): rules/dag_api/yaml_sources.py.
TOOL_DROPS = WARNING


def dummy_operator(target_facts: dict) -> str:
    return removed(target_facts["dummy_removed"])


def subdag(target_facts: dict) -> str:
    return removed(target_facts["subdag_removed"])


def _ds501(target: str) -> set[str]:
    f = facts(target)
    return {provide_context(f, True), provide_context(f, False), IGNORED}


def _ds502(target: str) -> set[str]:
    from dagshift.rules.dag_api.screen import argument_renames, consumes_kwargs

    warned = consumes_kwargs(target) or any(argument_renames(target).values()) or facts(target)["trigger_rule_renames"]
    return {ARGUMENT_REFUSED, ARGUMENT_WARNED if warned else TOOL_DROPS}


def _ds504(target: str) -> set[str]:
    f = facts(target)
    return {dag_argument(f, key) for key in SCHEDULE_ARGUMENTS} | {DAG_FACTORY_REFUSED, TOOL_DROPS}


def _ds506(target: str) -> set[str]:
    f = facts(target)
    found = set()
    if "max_active_tasks" in f["dag_args"]:
        found.add(dag_argument(f, CONCURRENCY_ARGUMENT))
    base = base_arguments(target)
    if "max_active_tis_per_dag" in base:
        found |= {task_concurrency(base), IGNORED}  # an operator's argument; in default_args
    return found


def _ds507(target: str) -> set[str]:
    f = facts(target)
    return {context_key(f, key) for key in (*f["context_removed"], *f["context_deprecations"])}


def _ds512(target: str) -> set[str]:
    f = facts(target)
    handled = {*SCHEDULE_ARGUMENTS, CONCURRENCY_ARGUMENT}  # DS504's and DS506's
    found = {dag_argument(f, key) for key in f["dag_args_removed"] if key not in handled}
    if any(f["warned_arguments"].values()):
        found.add(IGNORED)
    return found


def _ds515(target: str) -> set[str]:
    from dagshift.rules.dag_api.tables import GONE, replaced, replacements

    found = [replaced(target, path) for path in replacements()["classes"]]
    return {ERROR if r.status == GONE else WARNING for r in found if r is not None}


ON_TARGET: dict[str, Callable[[str], set[str]]] = {
    "DS501": _ds501,
    "DS502": _ds502,
    "DS503": lambda target: {dummy_operator(facts(target))},
    "DS504": _ds504,
    "DS505": lambda target: {days_ago(facts(target)), DAYS_AGO_TAG},
    "DS506": _ds506,
    "DS507": _ds507,
    "DS510": lambda target: {subdag(facts(target))},
    "DS512": _ds512,
    "DS515": _ds515,
}


def on_target(code: str, target: str) -> tuple[str, ...]:
    """Every severity the rule's findings can have on the target (the rule applies there)."""
    return ordered(ON_TARGET[code](target))
