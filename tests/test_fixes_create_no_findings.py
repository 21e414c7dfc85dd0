"""No fix creates a finding: after `check --fix --unsafe-fixes`, a second check finds nothing in a
file that the first did not (same file, same code, counted), on every fixture repository and
fixture file of the suite, for the targets users move to.

A chain of changes ends where the target ends it: a rename whose new spelling the target removed
is reported as removed (and deleted, or left to a person), never renamed into a second finding.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from dagshift.rules import default_registry

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Every repository-shaped fixture, and every single-file fixture the rules' tests fix.
REPOSITORIES = [
    "airflow3/airflow2_repo", "airflow3/mwaa110_repo", "config_repo", "dag_api/repo_operators", "dag_api/subdags",
    "dag_api/subdag_kwargs",
    "environments/monorepo", "imports/closed_world", "legacy_repo", "plugin_layouts/capstone",
    "plugin_layouts/per_plugin", "plugin_repo", "yaml_dags/dag_factory_repo", "yaml_dags/gusty_repo",
    "replacements/warehouse_repo",
]
FILES = ["imports/mwaa_emr_dag.py", "imports/shapes.py", "dag_api/reporting_dag.py",
         "benchmark/warehouse_dag_1_10.py", "benchmark/migrated_emr_dag.py", "benchmark/migrated_reporting_dag.py"]
TARGETS = ["2.5.1", "2.11.2", "3.0.6", "3.3.1"]


def _findings(cli, root: Path, target: str, *extra: str) -> Counter:
    result = cli("check", ".", "--format", "json", "--target-version", target, "--no-cache", *extra, cwd=root,
                 registry=default_registry())
    assert result.code in (0, 1), result.err
    return Counter((f["path"], f["code"]) for f in json.loads(result.out))


def _copy(tmp_path: Path, fixture: str) -> Path:
    source = FIXTURES / fixture
    root = tmp_path / "repo"
    if source.is_dir():
        shutil.copytree(source, root)
    else:
        (root / "dags").mkdir(parents=True)
        shutil.copy(source, root / "dags" / source.name)
    return root


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("fixture", REPOSITORIES + FILES)
def test_no_fix_creates_a_finding(cli, tmp_path, fixture, target):
    root = _copy(tmp_path, fixture)
    before = _findings(cli, root, target)
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", "--target-version", target, "--no-cache", cwd=root,
        registry=default_registry())
    after = _findings(cli, root, target)
    created = after - before
    assert not created, f"fixes created findings: {sorted(created.elements())}"
