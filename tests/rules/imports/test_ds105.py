"""DS105 on a realistic 1.10 DAG: exact findings per target version, exact fix, convergence."""

from __future__ import annotations

from conftest import write

from dagshift.rules import default_registry

DAG_SOURCE = '''\
"""Nightly export, MWAA 1.10.12."""
from airflow import DAG, AirflowException, conf
from airflow.operators.bash_operator import BashOperator
from airflow import AirflowMacroPlugin  # noqa: DS105

try:
    from airflow.utils.log.logging_mixin import LoggingMixin
except ImportError:  # Airflow 1.10 fallback
    from airflow import LoggingMixin

BUCKET = conf.get("core", "remote_base_log_folder")
'''


def test_findings_depend_on_the_target(cli, tmp_path):
    write(tmp_path, {"dags/export.py": DAG_SOURCE})
    old = cli("check", "--format", "concise", "--quiet", "--target-version", "2.5.1", "--select", "DS105", cwd=tmp_path,
              registry=default_registry())
    assert old.out == (
        "dags/export.py:2:44: DS105 [*] `from airflow import conf` fails on Airflow 2.5.1; "
        "import `conf` from `airflow.configuration`\n"
    )
    new = cli("check", "--format", "concise", "--quiet", "--target-version", "2.10.3", "--select", "DS105", cwd=tmp_path,
              registry=default_registry())
    assert new.out == (
        "dags/export.py:2:26: DS105 [*] `from airflow import AirflowException` is deprecated on Airflow 2.10.3; "
        "import `AirflowException` from `airflow.exceptions`\n"
        "dags/export.py:2:44: DS105 [*] `from airflow import conf` fails on Airflow 2.10.3; "
        "import `conf` from `airflow.configuration`\n"
    )


def test_fix_splits_the_statement_and_converges(cli, tmp_path):
    write(tmp_path, {"dags/export.py": DAG_SOURCE})
    result = cli("check", "--fix", "--format", "concise", "--target-version", "2.10.3", "--select", "DS105", cwd=tmp_path,
                 registry=default_registry())
    assert result.code == 0
    expected = DAG_SOURCE.replace(
        "from airflow import DAG, AirflowException, conf\n",
        "from airflow import DAG\nfrom airflow.exceptions import AirflowException\nfrom airflow.configuration import conf\n",
    )
    fixed = (tmp_path / "dags/export.py").read_text()
    assert fixed == expected
    again = cli("check", "--fix", "--format", "concise", "--target-version", "2.10.3", "--select", "DS105", cwd=tmp_path,
                registry=default_registry())
    assert (tmp_path / "dags/export.py").read_text() == expected
    assert again.out.startswith("All checks passed!")


def test_pre_screen_parses_only_files_that_import_a_dropped_name():
    from dagshift.rules.imports.rules import TopLevelImport

    rule = TopLevelImport()
    assert rule.wants("from airflow import DAG\n", "2.5.1") is False
    assert rule.wants("from airflow import DAG, conf\n", "2.5.1") is True
    assert rule.wants("from airflow import AirflowException\n", "2.5.1") is False
    assert rule.wants("from airflow import AirflowException\n", "2.10.3") is True
    assert rule.wants("from airflow import (\n    DAG,\n    conf,\n)\n", "2.5.1") is True
