"""The one way the verification scripts reach real Airflow: the venv a version lives in, and the
environment its Python runs under (a throwaway AIRFLOW_HOME, no example DAGs, no warnings on stderr).

The venvs are built by scripts/verify_against_airflow.py (`dagshift-verify-<version>`, Airflow and the
providers its constraint file pins) under the temp dir, or under DAGSHIFT_VERIFY_VENVS."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Optional


def venvs_dir() -> Path:
    return Path(os.environ.get("DAGSHIFT_VERIFY_VENVS") or tempfile.gettempdir())


def verify_venv(version: str) -> Path:
    """The verification venv of one Airflow version (`.../dagshift-verify-2.11.2`)."""
    return venvs_dir() / f"dagshift-verify-{version}"


def verify_python(version: str) -> Path:
    return verify_venv(version) / "bin" / "python"


def airflow_env(home: Path, dags: Optional[Path] = None, plugins: Optional[Path] = None, *, unit_test: bool = True,
                clean: bool = False, **extra: str) -> dict[str, str]:
    """The environment a venv's Python imports Airflow in. `clean` drops the caller's own AIRFLOW_*,
    PYTHON* and VIRTUAL_ENV (this process's venv is not the probe's); `unit_test` is Airflow's
    unit-test mode (its test configuration: no default connections, sqlite); `extra` adds variables."""
    inherited = os.environ.items()
    env = {k: v for k, v in inherited if not (clean and k.startswith(("AIRFLOW", "PYTHON", "VIRTUAL_ENV")))}
    env.update({"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "PYTHONWARNINGS": "ignore"})
    if unit_test:
        env["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
    if dags is not None:
        env["AIRFLOW__CORE__DAGS_FOLDER"] = str(dags)
    if plugins is not None:
        env["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(plugins)
    env.update(extra)
    return env
