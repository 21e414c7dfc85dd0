"""What the YAML tools themselves refuse, read from the environment's requirements: dag-factory 1.0
raises on a `schedule_interval` key whatever the Airflow version ("The `schedule_interval` key is no
longer supported in Airflow 3.0+. Use `schedule` instead."; dagbuilder.configure_schedule in the
1.0.1 wheel, and scripts/verify_yaml_dags.py saw it on 2.11.2 and 3.0.6)."""

from __future__ import annotations

from typing import Any, Optional

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

# The specifier operators that admit no version below the one they name.
AT_LEAST = ("==", "===", "~=", ">=")


def dag_factory_1(ctx: Any) -> Optional[str]:
    """`dag-factory==1.0.1 (requirements.txt)` when the file's environment requires dag-factory at a
    version that can only be 1.0 or later; None when nothing proves it."""
    for path in sorted(ctx.environment_files("requirements")):
        try:
            text = (ctx.settings.root / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            found = _at_least_1(line.split(" #", 1)[0].strip())
            if found:
                return f"`{found}` in {path}"
    return None


def _at_least_1(line: str) -> Optional[str]:
    if not line or line.startswith(("#", "-")):
        return None
    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        return None
    if canonicalize_name(requirement.name) != "dag-factory":
        return None
    for spec in requirement.specifier:
        try:
            version = Version(spec.version.rstrip(".*"))
        except InvalidVersion:
            continue
        if spec.operator in AT_LEAST and version.major >= 1:
            return line
    return None
