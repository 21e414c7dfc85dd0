"""The closed world: every airflow import no move table knows is judged against everything the
target's core wheel and pinned providers bind (rules/imports/data/provider_index.json)."""

from __future__ import annotations

import shutil

import pytest
from conftest import FIXTURES

from dagshift.rules import default_registry
from dagshift.rules.imports.tables import closed_world, tables

FIXTURES = FIXTURES / "imports" / "closed_world"  # left unfixable on purpose: not a golden "fixed" file

ON_2_11_0 = """\
dags/orders_export.py:4:8: DS101 `airflow.utils.email_utils` does not exist on Airflow 2.11.0: there is no module `airflow.utils.email_utils`; import what you use from the modules that define it on the target
dags/orders_export.py:6:57: DS102 [*] `airflow.api.common.experimental.trigger_dag.trigger_dag` is deprecated on Airflow 2.11.0: it moved to `airflow.api.common.trigger_dag.trigger_dag`
dags/orders_export.py:9:57: DS104 [*] `airflow.providers.amazon.aws.operators.glue.AwsGlueJobOperator` does not exist in the provider version Airflow 2.11.0 pins; use `airflow.providers.amazon.aws.operators.glue.GlueJobOperator` (in apache-airflow-providers-amazon, which MWAA 2.11.0 installs)
"""

ON_2_2_2 = """\
dags/orders_export.py:4:8: DS101 `airflow.utils.email_utils` does not exist on Airflow 2.2.2: there is no module `airflow.utils.email_utils`; import what you use from the modules that define it on the target
dags/orders_export.py:7:30: DS101 `airflow.datasets.Dataset` does not exist on Airflow 2.2.2: there is no module `airflow.datasets` (MWAA's Airflow has it from 2.4.3): the code was written for another Airflow version; rewrite it for Airflow 2.2.2, or target one that has it
dags/orders_export.py:8:37: DS101 `airflow.operators.empty.EmptyOperator` does not exist on Airflow 2.2.2: there is no module `airflow.operators.empty` (MWAA's Airflow has it from 2.4.3): the code was written for another Airflow version; rewrite it for Airflow 2.2.2, or target one that has it
"""


def run(cli, tmp_path, *args):
    (tmp_path / "dags").mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "orders_export.py", tmp_path / "dags" / "orders_export.py")
    return cli("check", "--format", "concise", "--quiet", "--select", "DS1", *args, cwd=tmp_path,
               registry=default_registry())


@pytest.mark.parametrize("target, expected", [("2.11.0", ON_2_11_0), ("2.2.2", ON_2_2_2)])
def test_imports_no_table_knows_are_judged_by_the_target(cli, tmp_path, target, expected):
    # A private helper that exists (`_parse_gcs_url`), names the target has (`DagRunState`,
    # `TaskGroupContext`), and a version fallback in try/except get nothing.
    result = run(cli, tmp_path, "--target-version", target)
    assert result.out == expected
    assert result.code == 1


def test_fix_renames_provider_aliases_and_follows_shims_then_converges(cli, tmp_path):
    result = run(cli, tmp_path, "--target-version", "2.11.0", "--fix")
    fixed = (tmp_path / "dags" / "orders_export.py").read_text()
    assert fixed == (FIXTURES / "orders_export.fixed-2.11.0.py").read_text()
    # What has no mechanical fix stays reported; a second --fix changes nothing. (PostgresOperator,
    # gone from the pinned provider, is DS515's: tests/rules/dag_api/test_replacements.py.)
    assert [line.split(" ")[1] for line in result.out.splitlines()] == ["DS101"]
    again = run(cli, tmp_path, "--target-version", "2.11.0", "--fix")
    assert (tmp_path / "dags" / "orders_export.py").read_text() == fixed
    assert again.out == result.out


@pytest.mark.parametrize("module, name, verdict", [
    ("airflow.operators.python", "PythonOperator", None),
    ("airflow.operators.python", "_no_such_helper", "name"),
    ("airflow.utils", "dates", None),  # a submodule imported as a name
    ("airflow.providers.google.cloud.hooks.gcs", "_parse_gcs_url", None),  # private, but bound
    ("airflow.providers.google.cloud.hooks.gcs", "NoSuchHook", "name"),
    ("airflow.providers.amazon", None, None),  # a package
    ("airflow.providers.amazon.aws.operators.no_such", None, "module"),
    ("airflow.providers.unpinned_vendor.hooks.x", "Hook", None),  # a provider the target does not pin
    ("airflow_plugins.operators", "Mine", None),  # not Airflow's
    ("airflow.operators.dummy", "DummyOperator", "warns"),  # 2.4+: a virtual deprecated module
])
def test_closed_world_verdicts(module, name, verdict):
    assert closed_world(tables("2.11.0"), module, name) == verdict


def test_a_provider_module_that_needs_a_newer_airflow_fails_on_the_older_target(cli, tmp_path):
    """The standard provider 3.0.6 pins ships operators/hitl.py, which raises at import unless
    Airflow is 3.1 or later: an error on 3.0.6, clean on 3.2.1 (whose standard provider has it too)."""
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "approve.py").write_text(
        "from airflow.providers.standard.operators.hitl import ApprovalOperator\n\nApprovalOperator\n")

    def check(target):
        return cli("check", "--format", "concise", "--quiet", "--select", "DS1", "--target-version", target,
                   cwd=tmp_path, registry=default_registry()).out

    assert check("3.0.6") == (
        "dags/approve.py:1:55: DS104 `airflow.providers.standard.operators.hitl.ApprovalOperator` does not exist in "
        "the provider version Airflow 3.0.6 pins: apache-airflow-providers-standard 1.6.0 refuses to import "
        "`airflow.providers.standard.operators.hitl` on Airflow 3.0.6: it needs Airflow 3.1 or later\n")
    assert check("3.2.1") == ""
