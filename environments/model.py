"""What an environment is: one Airflow deployment, the files that make it, and why dagshift thinks so."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

# The roles a file can play in an environment. READINESS_ROLES are what an environment's readiness
# counts (its code, requirements and configuration, including the infrastructure that sets its
# options and version); the others belong to it (its rules judge them) but are not counted.
DAGS, PLUGINS, REQUIREMENTS, CONSTRAINTS, CONFIG = "dags", "plugins", "requirements", "constraints", "config"
STARTUP, INFRASTRUCTURE, IMAGE, INCLUDE, CODE, OTHER = "startup", "infrastructure", "image", "include", "code", "other"
READINESS_ROLES = frozenset({DAGS, PLUGINS, REQUIREMENTS, CONSTRAINTS, CONFIG, STARTUP, INCLUDE, CODE, INFRASTRUCTURE})
ROLES = (DAGS, PLUGINS, INCLUDE, CODE, REQUIREMENTS, CONSTRAINTS, STARTUP, CONFIG, IMAGE, INFRASTRUCTURE, OTHER)

# How strong each kind of evidence is: the strongest one names the environment's platform.
STRENGTH = {"declared": 6, "mwaa-infrastructure": 5, "composer-infrastructure": 5, "mwaa-local-runner": 4,
            "astro": 4, "airflow-image": 3, "docker-compose": 3, "helm": 3, "requirements": 2, "dags-folder": 1,
            "airflow-config": 1, "airflow-code": 0}


@dataclass(frozen=True)
class Evidence:
    """One reason: what was seen (`what`), where (`path`, `line`), and the text that shows it."""

    what: str
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.what} ({self.text})" if self.text else f"{where}: {self.what}"


@dataclass
class Environment:
    root: str  # relative to the project root, '/' separators, "." for the root itself
    platform: str = "unknown"  # mwaa, astro, composer, self-managed, unknown
    kind: str = "airflow-code"  # the strongest evidence's kind (STRENGTH)
    name: str = ""
    dags: list[str] = field(default_factory=list)  # folders
    plugins: list[str] = field(default_factory=list)  # folders
    include: list[str] = field(default_factory=list)  # folders deployed beside the DAGs (Astro's include/)
    image: list[str] = field(default_factory=list)  # folders that build the environment's image (local runner's docker/)
    requirements: list[str] = field(default_factory=list)  # files
    constraints: list[str] = field(default_factory=list)
    startup: list[str] = field(default_factory=list)
    config: list[str] = field(default_factory=list)
    infrastructure: list[str] = field(default_factory=list)
    from_version: Optional[str] = None
    from_evidence: Optional[Evidence] = None
    target: Optional[str] = None  # declared in [tool.dagshift] when it differs from the run's
    evidence: list[Evidence] = field(default_factory=list)
    version_strength: int = -1  # how strong the evidence of from_version is (set_version)

    @property
    def strength(self) -> int:
        return STRENGTH.get(self.kind, 0)

    def note(self, kind: str, evidence: Evidence, platform: Optional[str] = None) -> None:
        """Add a reason; the strongest kind names the environment."""
        if evidence not in self.evidence:
            self.evidence.append(evidence)
        if STRENGTH.get(kind, 0) > self.strength:
            self.kind = kind
            if platform:
                self.platform = platform
        elif platform and self.platform == "unknown":
            self.platform = platform

    def set_version(self, version: str, evidence: Evidence, strength: int) -> None:
        """The version the environment runs today: infrastructure beats an image tag beats a pin."""
        if strength > self.version_strength and re.fullmatch(r"\d+\.\d+\.\d+", version):
            self.from_version, self.from_evidence = version, evidence
            self.version_strength = strength

    def add(self, role: str, path: str) -> None:
        values: list[str] = getattr(self, role)
        if path not in values:
            values.append(path)

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "version_strength"}
        data["from_evidence"] = str(self.from_evidence) if self.from_evidence else None
        data["evidence"] = [str(e) for e in self.evidence]
        return data


@dataclass(frozen=True)
class Membership:
    """Where one file belongs: an environment (its index in Model.environments) and its role there,
    or no environment and the reason."""

    environment: Optional[int]
    role: str  # a role, or "" outside every environment
    reason: str = ""


@dataclass
class Model:
    environments: list[Environment]
    files: dict[str, Membership]  # relpath -> membership, for every file dagshift reads
    # True when no deployment was found: the repository is read as one environment, as before.
    implicit: bool = False
    # A run's display path -> relpath, for what names files as the run shows them (records).
    displays: dict[str, str] = field(default_factory=dict)

    def member(self, relpath: str) -> Optional[Membership]:
        found = self.files.get(relpath)
        return found if found is not None and found.environment is not None else None

    def environment_of(self, relpath: str) -> Optional[Environment]:
        found = self.member(relpath)
        return self.environments[found.environment] if found is not None and found.environment is not None else None

    def outside(self) -> dict[str, str]:
        return {path: m.reason for path, m in sorted(self.files.items()) if m.environment is None}

    def files_of(self, index: int) -> dict[str, str]:
        return {path: m.role for path, m in sorted(self.files.items()) if m.environment == index}

    def restricted_to(self, paths: set[str]) -> "Model":
        """The environments holding any of `paths`, and those files' memberships (what a run on a
        sub-folder shows): indexes are renumbered, the environments themselves are shared."""
        kept = sorted({m.environment for p, m in self.files.items() if p in paths and m.environment is not None})
        renumber = {old: new for new, old in enumerate(kept)}
        files = {p: Membership(renumber[m.environment] if m.environment is not None else None, m.role, m.reason)
                 for p, m in self.files.items() if p in paths and (m.environment is None or m.environment in renumber)}
        return Model([self.environments[i] for i in kept], files, self.implicit)

    def to_json(self) -> dict[str, Any]:
        return {
            "implicit": self.implicit,
            "environments": [
                {**env.to_json(), "files": self.files_of(i)} for i, env in enumerate(self.environments)
            ],
            "not_airflow": self.outside(),
        }
