"""Bundled constraint files and the extras table, for the requirements rules (no network)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from packaging.utils import canonicalize_name

from dagshift.linter.tables import data_folder, load_table

CONSTRAINTS = data_folder(__file__) / "constraints"
CONSTRAINT_URL_RE = re.compile(r"constraints-(?P<airflow>\d+\.\d+\.\d+)/constraints-(?P<python>3\.\d+)\.txt$")
PIN_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)", re.M)


def parse_pins(text: str) -> dict[str, str]:
    """`name==version` lines of a constraint file, by canonical name."""
    return {canonicalize_name(name): version for name, version in PIN_RE.findall(text)}


@lru_cache(maxsize=16)
def bundled_constraints(airflow: str) -> tuple[Optional[str], dict[str, str]]:
    """(file name, pins) of the bundled constraint file MWAA uses for an Airflow version."""
    for path in sorted(CONSTRAINTS.glob(f"constraints-{airflow}-*.txt")):
        return path.name, parse_pins(path.read_text(encoding="utf-8"))
    return None, {}


@lru_cache(maxsize=16)
def essential_constraints(airflow: str) -> dict[str, str]:
    """The pins MWAA applies on top of every user install (2.9.2 and later); empty before."""
    path = CONSTRAINTS / f"mwaa-essential-{airflow}.txt"
    return parse_pins(path.read_text(encoding="utf-8")) if path.exists() else {}


@lru_cache(maxsize=1)
def extras_table() -> dict:
    return load_table("extras", "targets", "installed")


def installed_providers(airflow: str) -> frozenset[str]:
    """Providers an MWAA environment of that Airflow version has without requirements.txt: those
    apache-airflow itself requires, and those MWAA's image adds (amazon, celery, postgres)."""
    return frozenset(extras_table()["installed"].get(airflow, ()))


def providers_for_extra(extra: str, airflow: str) -> list[str]:
    """The provider distributions a 1.10 `apache-airflow[extra]` became on a target (pinned there)."""
    key = re.sub(r"[-_.]+", "-", extra).lower()
    _, pins = bundled_constraints(airflow)
    candidates = extras_table()["targets"].get(airflow, {}).get(key, [])
    return [dist for dist in candidates if dist in pins]
