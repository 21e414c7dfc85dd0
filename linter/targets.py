"""The Airflow versions dagshift can target: the Airflow 2 and 3 versions Amazon MWAA offers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from dagshift.linter.tables import load_table


@dataclass(frozen=True)
class MwaaVersion:
    airflow: str
    python: str
    constraints_url: str
    status: str
    end_of_support: Optional[str]


def version_tuple(version: str) -> tuple[int, ...]:
    """'2.5.1' -> (2, 5, 1); raises ValueError on anything that is not dotted digits."""
    parts = version.strip().split(".")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ValueError(version)
    return tuple(int(p) for p in parts) + (0,) * (3 - len(parts))


@lru_cache(maxsize=1)
def mwaa_versions() -> tuple[MwaaVersion, ...]:
    data = load_table("mwaa_versions", "versions")
    return tuple(
        MwaaVersion(v["airflow"], v["python"], v["constraints_url"], v["status"], v["end_of_support"])
        for v in data["versions"]
    )


def supported_targets() -> tuple[MwaaVersion, ...]:
    """Airflow 2 and 3 versions: where a migration from 1.10 or an earlier 2.x can land."""
    return tuple(v for v in mwaa_versions() if not v.airflow.startswith("1."))


def default_target() -> MwaaVersion:
    """The newest Airflow 2 version MWAA creates: Airflow 3 is a choice a team makes explicitly."""
    return max((v for v in supported_targets() if v.airflow.startswith("2.")), key=lambda v: version_tuple(v.airflow))


def creatable(version: MwaaVersion) -> bool:
    """Whether MWAA still creates new environments on this version (2.0.2 ... 2.6.3 it does not)."""
    return version.status == "supported"


def is_airflow3(target: str) -> bool:
    return version_tuple(target) >= (3, 0, 0)


def find_target(version: str) -> Optional[MwaaVersion]:
    try:
        wanted = version_tuple(version)
    except ValueError:
        return None
    for candidate in supported_targets():
        if version_tuple(candidate.airflow) == wanted:
            return candidate
    return None


def in_range(target: str, since: Optional[str], until: Optional[str]) -> bool:
    t = version_tuple(target)
    if since and t < version_tuple(since):
        return False
    if until and t >= version_tuple(until):
        return False
    return True


# MWAA Serverless: a platform on top of one Airflow version per engine version. A target spelled
# "serverless" (the newest engine) or "serverless-N" runs every rule of that Airflow version plus
# the rules declared for the platform (`Rule.platform`); its facts are rules/serverless/data's table.
SERVERLESS = "serverless"


@lru_cache(maxsize=1)
def serverless_engines() -> dict[str, str]:
    """Engine version -> the Airflow version underneath (from serverless_engine.json)."""
    return {engine: facts["airflow"] for engine, facts in load_table("serverless_engine", "engines")["engines"].items()}


def parse_platform(raw: str) -> Optional[str]:
    """'serverless' -> 'serverless-1' (the newest engine), 'serverless-N' -> itself when engine N
    exists; None for anything else (an Airflow version, say)."""
    engines = serverless_engines()
    if raw == SERVERLESS:
        return f"{SERVERLESS}-{max(engines, key=int)}"
    head, _, engine = raw.partition("-")
    return raw if head == SERVERLESS and engine in engines else None


def platform_airflow(platform: str) -> str:
    """The Airflow version under 'serverless-N'."""
    return serverless_engines()[platform.partition("-")[2]]


def split_target(target: str) -> tuple[str, str]:
    """('3.0.6', 'serverless-1') for 'serverless-1'; (target, '') for an Airflow version."""
    platform = parse_platform(target) if target.startswith(SERVERLESS) else None
    return (platform_airflow(platform), platform) if platform else (target, "")


def target_label(target: str) -> str:
    """How a summary names the target: 'Airflow 3.0.6', 'MWAA Serverless engine 1 (Airflow 3.0.6)'."""
    airflow, platform = split_target(target)
    if platform:
        return f"MWAA Serverless engine {platform.partition('-')[2]} (Airflow {airflow})"
    return f"Airflow {airflow}"
