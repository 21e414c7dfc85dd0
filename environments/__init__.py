"""The repository's Airflow deployments: which files make each environment, found from the evidence
the repository holds (infrastructure, the layouts people copy, `[tool.dagshift]`), never by running it."""

from dagshift.environments.discover import PLATFORM_NAMES, discover_environments
from dagshift.environments.model import READINESS_ROLES, Environment, Evidence, Membership, Model

__all__ = ["discover_environments", "Environment", "Evidence", "Membership", "Model", "PLATFORM_NAMES", "READINESS_ROLES"]
