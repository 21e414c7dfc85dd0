"""Which operator classes a target replaced by another class with other arguments (DS515's data),
read by the DAG API family and by the import rules, which leave these paths to DS515.

No libcst here: the import rules and the pre-screen ask it of every file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from dagshift.linter.tables import load_table
from dagshift.linter.targets import version_tuple

GONE = "gone"
DEPRECATED = "deprecated"


@dataclass(frozen=True)
class Replaced:
    path: str  # the provider class the imported path is (or led to)
    entry: dict  # operator_replacements.json's facts of that class
    status: str  # GONE on the target, or DEPRECATED there
    version: str  # the provider version the target pins


@lru_cache(maxsize=1)
def api_targets() -> dict[str, dict]:
    """dag_api.json's facts, per target: the one reader of that table (the rules' gates, severities,
    analysis and pre-screen all ask here), read once per process."""
    return load_table("dag_api", "targets")["targets"]


def api_facts(target: str) -> dict:
    return api_targets()[target]


@lru_cache(maxsize=1)
def replacements() -> dict[str, Any]:
    return load_table("operator_replacements", "classes", "aliases", "pins")


def _at_least(version: str, bound: Optional[str]) -> bool:
    try:
        return bound is not None and version_tuple(version) >= version_tuple(bound)
    except ValueError:
        return False


@lru_cache(maxsize=512)
def replaced(target: str, qualified: str) -> Optional[Replaced]:
    """The class `qualified` (a provider path, or a 1.10 path leading to one) as the target's pinned
    provider has it: gone (the pinned release is the first without it, or later) or deprecated (the
    release deprecates it); None when it is fine there, or the target pins no such provider (nothing
    can be said). Versions, like the pins, are in data/operator_replacements.json: cheap to ask."""
    data = replacements()
    path = data["aliases"].get(qualified, qualified)
    entry = data["classes"].get(path)
    if entry is None:
        return None
    version = data["pins"].get(target, {}).get(entry["dist"])
    if version is None:
        return None
    if _at_least(version, entry["gone_from"]):
        return Replaced(path, entry, GONE, version)
    if _at_least(version, entry["deprecated_from"]):
        return Replaced(path, entry, DEPRECATED, version)
    return None


def owned(target: str, qualified: str) -> bool:
    """Whether DS515 reports this import path on the target (the import rules then say nothing of it)."""
    return replaced(target, qualified) is not None


@lru_cache(maxsize=1)
def simple_names() -> frozenset[str]:
    """The class names of every path the table knows (the pre-screen's tokens)."""
    data = replacements()
    return frozenset(p.rpartition(".")[2] for p in (*data["classes"], *data["aliases"]))


@lru_cache(maxsize=16)
def dag_attributes_removed(target: str) -> dict[str, dict]:
    """The DAG attributes the target's every DAG class lacks and Airflow 2.11.2's had (DS516), each
    with its kind and successor (data/dag_attributes.json); {} on a target that lost none."""
    return load_table("dag_attributes", "targets")["targets"].get(target, {})


@lru_cache(maxsize=16)
def dag_attribute_reads(target: str) -> tuple[str, ...]:
    """`.schedule_interval`, ...: what a file must contain to read one of them (DS516's pre-screen)."""
    return tuple(f".{attr}" for attr in dag_attributes_removed(target))
